"""Identify with VNeID, the national e-ID app, instead of the chip card.

The kiosk shows a one-time QR; the citizen scans it in the app and agrees to share;
the city (which speaks to the national identity system) confirms name and ID number
and the deposit goes on exactly as after a scanned card. The city side is a port
(``VneidPort``); ``sync.vneid.CityVneid`` implements it over the city API and
``sim/city/vneid.py`` plays the city and the app. Faults become ``VneidProblem`` with a
stable reason the screens turn into words: ``vneid.unavailable`` (city unreachable),
``vneid.expired`` (QR too old, ask for a new one), ``vneid.refused`` (the citizen said
no in the app), ``vneid.invalid`` (the city's answer cannot be used).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Protocol


class VneidProblem(Exception):
    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


@dataclass(frozen=True)
class VneidRequest:
    request_id: str
    qr: str                   # what the screen shows as a QR (one-time, short-lived)
    expires_at: str


@dataclass(frozen=True)
class VneidAnswer:
    state: str                # pending | confirmed | refused | expired
    name: str = ""
    id_number: str = ""

    def __repr__(self) -> str:     # never an ID number in a log line
        return f"VneidAnswer({self.state}, id=****{self.id_number[-4:]})"


class VneidPort(Protocol):
    def start(self, *, key: str, purpose: str) -> VneidRequest: ...
    def poll(self, request_id: str) -> VneidAnswer: ...


class VneidIdentifier:
    """One identification at a time per screen: ``begin()``, then ``check()`` until an
    answer; ``apply(deposit, answer)`` fills the deposit as a scanned card would."""

    def __init__(self, port: VneidPort | None):
        self.port = port

    @property
    def available(self) -> bool:
        return self.port is not None

    def begin(self, purpose: str = "deposit") -> VneidRequest:
        """Blocking (city): a new one-time QR."""
        if self.port is None:
            raise VneidProblem("vneid.unavailable", "no VNeID link configured")
        try:
            req = self.port.start(key=uuid.uuid4().hex, purpose=purpose)
        except VneidProblem:
            raise
        except Exception as exc:
            raise VneidProblem("vneid.unavailable", str(exc)) from None
        if not req.request_id or not req.qr:
            raise VneidProblem("vneid.invalid", "the city gave no request id or QR")
        return req

    def check(self, request: VneidRequest) -> VneidAnswer | None:
        """Blocking (city): None while the citizen has not answered in the app."""
        try:
            answer = self.port.poll(request.request_id)
        except VneidProblem:
            raise
        except Exception as exc:
            raise VneidProblem("vneid.unavailable", str(exc)) from None
        if answer.state == "pending":
            return None
        if answer.state == "expired":
            raise VneidProblem("vneid.expired", "the QR expired before it was scanned")
        if answer.state == "refused":
            raise VneidProblem("vneid.refused", "the citizen refused in the app")
        if answer.state != "confirmed" or not re.fullmatch(r"[0-9]{12}", answer.id_number) \
                or not answer.name.strip():
            raise VneidProblem("vneid.invalid", f"unusable answer ({answer.state})")
        return answer

    @staticmethod
    def apply(deposit, answer: VneidAnswer) -> None:
        """The deposit continues as with a scanned card (no card address: none read)."""
        deposit.id_number, deposit.name = answer.id_number, " ".join(answer.name.split())
        deposit.address = None
