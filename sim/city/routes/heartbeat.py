"""``POST /heartbeat``: the kiosk's health report; ``/_sim/heartbeat`` shows the last."""
from __future__ import annotations

from sim.city.clock import iso
from sim.city.routing import ANY, Request, Route


def post_heartbeat(req: Request):
    data = req.json()
    req.sim.db.heartbeat(req.kiosk, data)
    return 200, {"ok": True, "server_time": iso(req.sim.clock.now())}, {}


def last_heartbeat(req: Request):
    return 200, {"heartbeat": req.sim.db.last_heartbeat(req.arg("kiosk"))}, {}


ROUTES = [Route("POST", r"/heartbeat", post_heartbeat)]
CONTROL_ROUTES = [Route(ANY, r"/heartbeat", last_heartbeat)]
