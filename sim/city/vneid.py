"""The city's VNeID identification, and the citizen's app, as the simulator plays them.

A kiosk asks for a request (``POST /vneid/requests``) and shows its one-time QR; the
citizen scans it in the VNeID app and agrees to share name and ID number; the kiosk
polls ``GET /vneid/requests/<id>`` (``sim/city/routes/vneid.py``) until the answer is ``confirmed``, ``refused`` or
``expired``. Here the app's side is ``/_sim/vneid/<id>/scan`` (consent, with a made-up
citizen) and ``/_sim/vneid/<id>/refuse``. A request lives ``ttl_s`` seconds of the
simulator's clock and can be answered once.
"""
from __future__ import annotations

import re
import secrets
import threading
from datetime import timedelta

QR_PREFIX = "VNEID:KIOSK-ID:1:"
TTL_S = 120
_ID = re.compile(r"[0-9]{12}")


class VneidError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class VneidDesk:
    """Identification requests by id, each with its kiosk, nonce, expiry and answer."""

    def __init__(self, clock, ttl_s: float = TTL_S):
        self.clock, self.ttl_s = clock, ttl_s
        self._lock = threading.Lock()
        self._requests: dict[str, dict] = {}
        self._by_key: dict[tuple[str, str], str] = {}

    def create(self, kiosk: str, data: dict) -> tuple[int, dict]:
        key = str(data.get("key") or "")
        if not 8 <= len(key) <= 100:
            raise VneidError(422, "bad_key", "'key' (8-100 characters) is required")
        with self._lock:
            known = self._by_key.get((kiosk, key))
            if known:
                return 200, self._view(self._requests[known])
            rid = secrets.token_hex(8)
            now = self.clock.now()
            req = {"request_id": rid, "kiosk": kiosk, "nonce": secrets.token_urlsafe(18),
                   "created": now, "expires": now + timedelta(seconds=self.ttl_s),
                   "state": "pending", "name": None, "id_number": None,
                   "purpose": str(data.get("purpose") or "")[:100]}
            self._requests[rid] = req
            self._by_key[(kiosk, key)] = rid
            return 201, self._view(req)

    def status(self, kiosk: str, rid: str) -> tuple[int, dict]:
        with self._lock:
            req = self._requests.get(rid)
            if req is None or req["kiosk"] != kiosk:
                raise VneidError(404, "not_found", f"no identification request {rid}")
            self._expire(req)
            return 200, self._view(req, answer=True)

    # -- the citizen's app --------------------------------------------------------------
    def scan(self, rid: str, data: dict) -> dict:
        """The app read the QR and the citizen agreed to share name and ID number."""
        id_number, name = str(data.get("id_number") or ""), str(data.get("name") or "")
        if not _ID.fullmatch(id_number) or not name.strip():
            raise VneidError(400, "bad_citizen", "give a 12-digit 'id_number' and a 'name'")
        return self._answer(rid, "confirmed", id_number=id_number, name=" ".join(name.split()),
                            qr=str(data.get("qr") or ""))

    def refuse(self, rid: str) -> dict:
        """The citizen pressed 'refuse' in the app."""
        return self._answer(rid, "refused")

    def _answer(self, rid: str, state: str, **found) -> dict:
        with self._lock:
            req = self._requests.get(rid)
            if req is None:
                raise VneidError(404, "not_found", f"no identification request {rid}")
            self._expire(req)
            if req["state"] != "pending":
                raise VneidError(409, "answered", f"request {rid} is {req['state']}")
            qr = found.pop("qr", "")
            if qr and not qr.endswith(req["nonce"]):
                raise VneidError(400, "wrong_qr", "this QR belongs to another request")
            req.update(state=state, **found)
            return self._view(req)

    def _expire(self, req: dict) -> None:
        if req["state"] == "pending" and self.clock.now() >= req["expires"]:
            req["state"] = "expired"

    def _view(self, req: dict, answer: bool = False) -> dict:
        out = {"request_id": req["request_id"], "state": req["state"],
               "qr": f"{QR_PREFIX}{req['request_id']}:{req['nonce']}",
               "expires_at": req["expires"].isoformat(timespec="seconds")
               .replace("+00:00", "Z")}
        if answer and req["state"] == "confirmed":
            out.update(name=req["name"], id_number=req["id_number"])
        return out

    def pending(self) -> list[dict]:
        """Requests waiting for the app (the technician window, tests)."""
        with self._lock:
            for r in self._requests.values():
                self._expire(r)
            return [self._view(r) for r in self._requests.values() if r["state"] == "pending"]

