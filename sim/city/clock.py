"""The city simulator's time: real UTC plus an offset a test or the technician pushes.

Every store and route takes "now" from here, so fast-forwarding processing moves
results, payment expiry and server times together.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class SimClock:
    """Real UTC time plus an offset the technician or a test can push forward."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            off = self._offset
        return datetime.now(timezone.utc) + timedelta(seconds=off)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += float(seconds)

    @property
    def offset_s(self) -> float:
        return self._offset
