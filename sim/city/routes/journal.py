"""``GET /_sim/journal?kiosk=ID``: the kiosk's journal as the city anchored it."""
from __future__ import annotations

from sim.city.routing import Request, Route, error


def journal_report(req: Request):
    kiosk = req.arg("kiosk")
    if not kiosk:
        raise error(400, "bad_request", "name the kiosk: /_sim/journal?kiosk=ID")
    with req.sim.db.lock:
        return 200, req.sim.db.journal.report(kiosk), {}


CONTROL_ROUTES = [Route("GET", r"/journal", journal_report)]
