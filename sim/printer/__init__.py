"""Simulated ESC/POS receipt printer on a pseudo-terminal."""
from .decoder import Command, EscPosDecoder
from .device import SWITCHES, PrinterSim

__all__ = ["Command", "EscPosDecoder", "PrinterSim", "SWITCHES"]
