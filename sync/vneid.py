"""The city's VNeID identification contract (docs/city-api.md, ``/vneid/requests``)."""
from __future__ import annotations

from kiosk.vneid import VneidAnswer, VneidRequest
from sync.client import CityClient
from sync.errors import CityServerError

STATES = ("pending", "confirmed", "refused", "expired")


class CityVneid:
    """``kiosk.vneid.VneidPort`` over HTTP; city errors propagate as ``CityError``."""

    def __init__(self, client: CityClient):
        self.client = client

    def start(self, *, key: str, purpose: str) -> VneidRequest:
        body = self.client._json(self.client.request(
            "POST", "/vneid/requests", ok=(200, 201), json={"key": key, "purpose": purpose}))
        if not body.get("request_id") or not body.get("qr"):
            raise CityServerError("POST /vneid/requests: no request_id or qr in the answer")
        return VneidRequest(str(body["request_id"]), str(body["qr"]),
                            str(body.get("expires_at") or ""))

    def poll(self, request_id: str) -> VneidAnswer:
        body = self.client._json(self.client.request("GET", f"/vneid/requests/{request_id}"))
        state = str(body.get("state") or "")
        if state not in STATES:
            raise CityServerError(f"GET /vneid/requests: unknown state {state!r}")
        return VneidAnswer(state, str(body.get("name") or ""), str(body.get("id_number") or ""))
