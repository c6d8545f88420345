"""``GET /results``: results after a cursor; ``POST /_sim/results`` adds one for a
dossier submitted online elsewhere."""
from __future__ import annotations

from sim.city.routing import Request, Route, error


def get_results(req: Request):
    query = req.query
    try:
        after = int((query.get("after") or ["0"])[0] or 0)
        limit = max(1, min(500, int((query.get("limit") or ["100"])[0])))
    except ValueError:
        raise error(400, "bad_request", "'after' and 'limit' must be whole numbers")
    rows, cursor, more = req.sim.db.results_after(req.kiosk, after, limit)
    return 200, {"results": rows, "cursor": str(cursor), "more": more}, {}


def add_result(req: Request):
    data = req.json()
    try:
        row = req.sim.db.add_result(
            dossier_code=data["dossier_code"], kiosk_id=data["kiosk_id"],
            procedure_code=data.get("procedure_code", "HT-05"),
            phone=data.get("phone"), citizen_name=data.get("citizen_name"),
            fee_due=data.get("fee_due"), id_check=data.get("id_check"))
    except KeyError as exc:
        raise error(400, "bad_request", f"missing {exc}")
    return 201, row, {}


ROUTES = [Route("GET", r"/results", get_results)]
CONTROL_ROUTES = [Route("POST", r"/results", add_result)]
