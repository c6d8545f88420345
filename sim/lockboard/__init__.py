"""Simulated CU16-type lock boards on one RS485 bus (a pseudo-terminal).

Written from ../shared/protocols/lockboard.md, not from the kiosk's driver, so that a
driver bug cannot hide behind the same bug here. ``SimLockBus`` is the control API used
by tests and by the technician's simulator window.
"""
from sim.lockboard.board import FAULTS, SimBoard, SimError
from sim.lockboard.bus import FrameLogEntry, SimLockBus

__all__ = ["FAULTS", "FrameLogEntry", "SimBoard", "SimError", "SimLockBus"]
