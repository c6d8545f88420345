"""Scripted days at the simulated kiosk, played through the real screens (see
docs/simulator.md): ``sim.scenario.day.DayScenario``."""
