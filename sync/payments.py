"""VietQR fee payments through the city: create (idempotent per reference) and status."""
from __future__ import annotations

from sync.client import CityClient
from sync.errors import CityServerError


class CityPayments:
    """The citizen service's payment port. Raises ``CityError`` when the city cannot be
    reached; the caller then lets the citizen pay at the counter."""

    def __init__(self, client: CityClient):
        self.client = client

    def create(self, *, reference: str, amount: int, purpose: str,
               dossier_code: str | None = None) -> dict:
        answer = self.client.payment_create(key=f"pay-{reference}", amount=int(amount),
                                            dossier_code=dossier_code, purpose=purpose)
        if not answer.get("payment_id") or not answer.get("qr"):
            raise CityServerError("POST /payments: the answer lacks payment_id or qr")
        return {"id": answer["payment_id"], "payload": answer["qr"],
                "amount": answer.get("amount", amount), "status": answer.get("status"),
                "expires_at": answer.get("expires_at")}

    def status(self, payment_id: str) -> str:
        """'pending', 'paid', 'failed' or 'expired'."""
        state = str(self.client.payment_status(payment_id).get("status", "pending"))
        return state if state in ("pending", "paid", "failed", "expired") else "pending"
