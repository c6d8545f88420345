"""The simulator's own knobs under ``/_sim``: faults, clock and counters."""
from __future__ import annotations

from sim.city.clock import iso
from sim.city.faults import FaultConfigError
from sim.city.routing import ANY, Request, Route, error


def faults(req: Request):
    if req.method == "POST":
        try:
            req.sim.set_faults(req.json())
        except (FaultConfigError, TypeError) as exc:
            raise error(400, "bad_faults", str(exc))
    return 200, req.sim.faults.describe(), {}


def clock(req: Request):
    sim = req.sim
    if req.method == "POST":
        sim.advance(float(req.json().get("advance_s", 0)))
    return 200, {"now": iso(sim.clock.now()), "offset_s": sim.clock.offset_s}, {}


def stats(req: Request):
    return 200, req.sim.stats(), {}


CONTROL_ROUTES = [
    Route(ANY, r"/faults", faults),
    Route(ANY, r"/clock", clock),
    Route(ANY, r"/stats", stats),
]
