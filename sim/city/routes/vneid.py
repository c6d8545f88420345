"""``POST /vneid/requests`` and ``GET /vneid/requests/<id>``: identification with the
VNeID app; ``/_sim/vneid/<id>/scan`` and ``.../refuse`` play the citizen's app."""
from __future__ import annotations

from sim.city.routing import Request, Route, error
from sim.city.vneid import VneidError


def _call(fn, *args):
    try:
        return fn(*args)
    except VneidError as exc:
        raise error(exc.status, exc.code, exc.message)


def create_request(req: Request):
    status, body = _call(req.sim.vneid.create, req.kiosk, req.json())
    return status, body, {}


def request_status(req: Request, rid: str):
    status, body = _call(req.sim.vneid.status, req.kiosk, rid)
    return status, body, {}


def pending(req: Request):
    return 200, {"pending": req.sim.vneid.pending()}, {}


def app_scan(req: Request, rid: str):
    return 200, _call(req.sim.vneid.scan, rid, req.json()), {}


def app_refuse(req: Request, rid: str):
    return 200, _call(req.sim.vneid.refuse, rid), {}


ROUTES = [
    Route("POST", r"/vneid/requests", create_request),
    Route("GET", r"/vneid/requests/([0-9a-f]{16})", request_status),
]
CONTROL_ROUTES = [
    Route("GET", r"/vneid", pending),
    Route("POST", r"/vneid/([0-9a-f]{16})/scan", app_scan),
    Route("POST", r"/vneid/([0-9a-f]{16})/refuse", app_refuse),
]
