"""``POST /payments`` and ``GET /payments/<id>``; ``POST /_sim/payments/<id>/confirm``
stands for the citizen paying with a bank app."""
from __future__ import annotations

from sim.city.routing import Request, Route, error


def payment_view(row: dict) -> dict:
    return {"payment_id": row["id"], "status": row["status"], "amount": row["amount"],
            "dossier_code": row["dossier_code"], "qr": row["qr"],
            "expires_at": row["expires_at"], "paid_at": row["paid_at"]}


def create_payment(req: Request):
    data = req.json()
    key, amount = data.get("key"), data.get("amount")
    if not isinstance(key, str) or not key:
        raise error(400, "bad_request", "'key' (idempotency key) is required")
    if not isinstance(amount, int) or not 0 < amount <= 100_000_000:
        raise error(422, "bad_amount", "'amount' must be whole dong, 1..100000000")
    row, new = req.sim.db.payment_create(req.kiosk, key, data.get("dossier_code"), amount,
                                         str(data.get("purpose") or ""))
    return (201 if new else 200), payment_view(row), {}


def payment_status(req: Request, pid: str):
    row = req.sim.db.payment(pid)
    if row is None or row["kiosk_id"] != req.kiosk:
        raise error(404, "not_found", f"no payment {pid}")
    return 200, payment_view(row), {}


def confirm_payment(req: Request, pid: str):
    row = req.sim.db.payment_confirm(pid)
    if row is None:
        raise error(404, "not_found", f"no payment {pid}")
    return 200, payment_view(row), {}


ROUTES = [
    Route("POST", r"/payments", create_payment),
    Route("GET", r"/payments/([A-Z0-9]+)", payment_status),
]
CONTROL_ROUTES = [Route("POST", r"/payments/([A-Z0-9]+)/confirm", confirm_payment)]
