"""``GET /ping``: is the city there, and which kiosk does it take us for."""
from __future__ import annotations

from sim.city.clock import iso
from sim.city.routing import Request, Route


def ping(req: Request):
    return 200, {"ok": True, "kiosk_id": req.kiosk, "server_time": iso(req.sim.clock.now())}, {}


ROUTES = [Route("GET", r"/ping", ping)]
