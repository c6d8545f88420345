"""The city-system simulator (see docs/city-api.md): ``CitySim(db_path, port=0, seed=0)``."""
from sim.city.faults import FAULT_KINDS, FaultPlan
from sim.city.server import CitySim

__all__ = ["CitySim", "FaultPlan", "FAULT_KINDS"]
