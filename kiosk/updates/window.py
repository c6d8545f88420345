"""The maintenance window: the only hours an update may be installed (kiosk-local time)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta


@dataclass(frozen=True)
class Window:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> "Window":
        a, b = text.split("-")
        return cls(time(int(a[:2]), int(a[3:])), time(int(b[:2]), int(b[3:])))

    def contains(self, now: datetime) -> bool:
        t = now.time()
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end          # crosses midnight

    def next_start(self, now: datetime) -> datetime:
        """When the window opens next (now, if it is open)."""
        if self.contains(now):
            return now
        start = now.replace(hour=self.start.hour, minute=self.start.minute, second=0,
                            microsecond=0)
        return start if start > now else start + timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"
