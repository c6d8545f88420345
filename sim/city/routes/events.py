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
    answer = req.sim.db.ingest_events(req.kiosk, events)
    new = set(answer["accepted"])            # command acknowledgements, read once
    req.sim.commands.note_events(req.kiosk, [e for e in events if isinstance(e, dict)
                                             and e.get("key") in new])
    return 200, answer, {}


def list_events(req: Request):
    return 200, {"events": req.sim.db.events(req.arg("kiosk"))}, {}


ROUTES = [Route("POST", r"/events", post_events)]
CONTROL_ROUTES = [Route(ANY, r"/events", list_events)]
