"""Working days, office hours and the date a citizen is told to come back.

Working days are Monday to Friday outside Vietnam's public holidays, taken from the
``holidays`` package's VN calendar (the lunar New Year and the Saturdays the government
moves into working days included), corrected by what the city publishes with its
catalog: extra days off and make-up working days. A dossier handed in outside office
hours, or on a day that is not a working day, counts as received on the next working
day; the appointment is the N-th working day after that (N = 0: that day itself).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

DEFAULT_OPENS, DEFAULT_CLOSES = time(7, 30), time(17, 0)
MAX_SEARCH_DAYS = 366 * 3          # no real year runs out of working days; bad data might


def parse_hhmm(text: str) -> time:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(text or "")):
        raise ValueError(f"{text!r} is not HH:MM (24-hour)")
    return time(int(text[:2]), int(text[3:]))


def _dates(values) -> frozenset[date]:
    out = set()
    for v in values or ():
        out.add(v if isinstance(v, date) else date.fromisoformat(str(v)))
    return frozenset(out)


@dataclass(frozen=True)
class WorkCalendar:
    """One office's calendar; ``days_off``/``working_days`` are the city's corrections."""

    tz: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
    opens: time = DEFAULT_OPENS
    closes: time = DEFAULT_CLOSES
    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    def __post_init__(self):
        if not self.opens < self.closes:
            raise ValueError(f"office hours {self.opens:%H:%M}–{self.closes:%H:%M}: the "
                             "office must open before it closes")
        object.__setattr__(self, "_vn", holidays.country_holidays("VN"))

    @classmethod
    def build(cls, *, timezone: str = "Asia/Ho_Chi_Minh", opens: str | time | None = None,
              closes: str | time | None = None, published: dict | None = None
              ) -> "WorkCalendar":
        """From profile values and the catalog's ``calendar`` block (may be None)."""
        published = published or {}
        return cls(tz=ZoneInfo(timezone),
                   opens=parse_hhmm(opens) if isinstance(opens, str) else opens or
                   DEFAULT_OPENS,
                   closes=parse_hhmm(closes) if isinstance(closes, str) else closes or
                   DEFAULT_CLOSES,
                   days_off=_dates(published.get("days_off")),
                   working_days=_dates(published.get("working_days")))

    def holiday_name(self, day: date) -> str | None:
        return self._vn.get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return self._vn.is_working_day(day)

    def next_working_day(self, day: date, *, include: bool = False) -> date:
        d = day if include else day + timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days after {day}; "
                         "check the calendar published with the catalog")

    def received_day(self, at: datetime) -> date:
        """The working day a dossier handed in at ``at`` counts as received."""
        if at.tzinfo is None:
            raise ValueError("a time of receipt needs its time zone")
        local = at.astimezone(self.tz)
        day, t = local.date(), local.time()
        if self.is_working_day(day) and self.opens <= t < self.closes:
            return day
        if self.is_working_day(day) and t < self.opens:
            return day
        return self.next_working_day(day)

    def add_working_days(self, day: date, n: int) -> date:
        if n < 0:
            raise ValueError("processing days cannot be negative")
        d = day
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def appointment(self, at: datetime, processing_days: int) -> date:
        """The date to collect the result of a dossier received at ``at``."""
        return self.add_working_days(self.received_day(at), int(processing_days))
