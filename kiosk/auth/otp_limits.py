"""How many SMS codes went out, per phone and for the whole kiosk, kept in the store.

A restart must not reset the limits (3 SMS per phone per 15 minutes, and a kiosk-wide
budget against a flood of SMS from someone typing number after number), so every send
is a row: the phone as an HMAC (never the number), and the wall time in seconds (the
monotonic clock starts again at every boot). Rows older than the longest window go.
"""
from __future__ import annotations

import threading
from typing import Protocol

from kiosk.alerts import ADVICE, SEVERITY
from kiosk.store import register_migrations

SMS_BUDGET_SPENT = "sms.budget_spent"
ADVICE.setdefault(SMS_BUDGET_SPENT, "more one-time codes were asked for than the kiosk's "
                                    "budget allows: check the camera for someone trying "
                                    "number after number; codes resume by themselves")
SEVERITY.setdefault(SMS_BUDGET_SPENT, "critical")

register_migrations([("otp-0001-sends", [
    "CREATE TABLE otp_sends (id INTEGER PRIMARY KEY, phone_key TEXT NOT NULL, "
    "at REAL NOT NULL)",
    "CREATE INDEX otp_sends_phone ON otp_sends(phone_key, at)",
    "CREATE INDEX otp_sends_at ON otp_sends(at)",
])])


class SendLog(Protocol):
    def phone_times(self, phone_key: str, since: float) -> list[float]:
        """Send times of one phone since ``since``, oldest first."""

    def kiosk_times(self, since: float) -> list[float]:
        """Send times of every phone since ``since``, oldest first."""

    def add(self, phone_key: str, at: float) -> None: ...

    def forget_before(self, at: float) -> None: ...


class MemorySendLog:
    """For tests and demos without a database: the same rules, gone at exit."""

    def __init__(self):
        self._rows: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    def phone_times(self, phone_key, since):
        with self._lock:
            return [at for k, at in self._rows if k == phone_key and at >= since]

    def kiosk_times(self, since):
        with self._lock:
            return [at for _, at in self._rows if at >= since]

    def add(self, phone_key, at):
        with self._lock:
            self._rows.append((phone_key, at))

    def forget_before(self, at):
        with self._lock:
            self._rows = [(k, t) for k, t in self._rows if t >= at]


class StoreSendLog:
    """The kiosk's: one row per SMS in ``otp_sends``, committed before the SMS goes."""

    def __init__(self, store):
        self.store = store

    def phone_times(self, phone_key, since):
        return [r["at"] for r in self.store.query(
            "SELECT at FROM otp_sends WHERE phone_key = ? AND at >= ? ORDER BY at",
            (phone_key, since))]

    def kiosk_times(self, since):
        return [r["at"] for r in self.store.query(
            "SELECT at FROM otp_sends WHERE at >= ? ORDER BY at", (since,))]

    def add(self, phone_key, at):
        with self.store.write():
            self.store.execute("INSERT INTO otp_sends(phone_key, at) VALUES (?, ?)",
                               (phone_key, at))

    def forget_before(self, at):
        with self.store.write():
            self.store.execute("DELETE FROM otp_sends WHERE at < ?", (at,))
