"""Time as the kiosk sees it.

Wall time (in the configured zone) drives rounds and the 3-day expiry; monotonic time
drives OTP lifetimes, timeouts and idle resets. Everything takes a ``Clock`` so that
tests and the simulator can move time without sleeping.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


class Clock(Protocol):
    zone: ZoneInfo

    def now(self) -> datetime:
        """Aware wall time in the kiosk's zone."""

    def monotonic(self) -> float:
        """Seconds that never go backwards; only differences mean anything."""


class SystemClock:
    def __init__(self, zone: str = DEFAULT_ZONE):
        self.zone = ZoneInfo(zone)

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to (tests, simulator fast-forward)."""

    def __init__(self, start: datetime | None = None, zone: str = DEFAULT_ZONE):
        self.zone = ZoneInfo(zone)
        if start is None:
            start = datetime(2026, 3, 2, 9, 0, tzinfo=self.zone)
        elif start.tzinfo is None:
            start = start.replace(tzinfo=self.zone)
        self._wall = start.astimezone(self.zone)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._wall

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float = 0.0, **kwargs: float) -> None:
        delta = timedelta(seconds=seconds, **kwargs)
        with self._lock:
            self._wall += delta
            self._mono += delta.total_seconds()

    def set(self, when: datetime) -> None:
        """Jump the wall clock (forward only: monotonic time follows)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.zone)
        with self._lock:
            delta = (when - self._wall).total_seconds()
            if delta < 0:
                raise ValueError("ManualClock.set cannot move time backwards")
            self._wall = when.astimezone(self.zone)
            self._mono += delta


class OffsetClock:
    """System time shifted by an offset: the simulator's fast-forward in a live process."""

    def __init__(self, zone: str = DEFAULT_ZONE, offset_s: float = 0.0):
        self.zone = ZoneInfo(zone)
        self._offset = offset_s
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            off = self._offset
        return datetime.now(self.zone) + timedelta(seconds=off)

    def monotonic(self) -> float:
        with self._lock:
            off = self._offset
        return time.monotonic() + off

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


def utc_iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
