"""``POST /sms``: the city sends an SMS for the kiosk; ``/_sim/sms`` lists them."""
from __future__ import annotations

from sim.city.routing import ANY, Request, Route, error
from sim.city.store.events import PHONE_RE


def send_sms(req: Request):
    data = req.json()
    key, to, text = data.get("key"), str(data.get("to") or ""), data.get("text")
    if not isinstance(key, str) or not key:
        raise error(400, "bad_request", "'key' (idempotency key) is required")
    if not PHONE_RE.match(to):
        raise error(422, "bad_phone", "'to' must be a 10-digit mobile number "
                                      "starting with 0")
    if not isinstance(text, str) or not text.strip() or len(text) > 640:
        raise error(422, "bad_text", "'text' must be 1..640 characters")
    sms_id, dup = req.sim.db.sms_send(req.kiosk, key, to, text)
    return 202, {"sms_id": sms_id, "status": "queued", "duplicate": dup}, {}


def list_sms(req: Request):
    return 200, {"sms": req.sim.db.query("SELECT * FROM sms ORDER BY id")}, {}


ROUTES = [Route("POST", r"/sms", send_sms)]
CONTROL_ROUTES = [Route(ANY, r"/sms", list_sms)]
