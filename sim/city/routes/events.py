"""``POST /events``: a batch of kiosk events; ``/_sim/events`` lists what arrived."""
from __future__ import annotations

from sim.city.routing import ANY, Request, Route, error

MAX_EVENTS = 1000


def post_events(req: Request):
    data = req.json()
    events = data.get("events")
    if not isinstance(events, list):
        raise error(400, "bad_request", "'events' must be a list of events")
    if len(events) > MAX_EVENTS:
        raise error(413, "too_many", f"{len(events)} events in one batch; at most "
                                     f"{MAX_EVENTS}")
    return 200, req.sim.db.ingest_events(req.kiosk, events), {}


def list_events(req: Request):
    return 200, {"events": req.sim.db.events(req.arg("kiosk"))}, {}


ROUTES = [Route("POST", r"/events", post_events)]
CONTROL_ROUTES = [Route(ANY, r"/events", list_events)]
