"""Simulated GSM modem on a pseudo-terminal with an SMS inbox file."""
from .device import ModemSim

__all__ = ["ModemSim"]
