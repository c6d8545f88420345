"""The technician's window: cabinet, fault switches, receipts, SMS, clock, power, reader."""
from sim.techwin.window import TechWindow, TrayTile

__all__ = ["TechWindow", "TrayTile"]
