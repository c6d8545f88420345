"""The appointment date: what a deposit spends computing the day to come back.

Measured: ``WorkCalendar.appointment(at, N)`` (office hours, received day, the city's
published days, N working days) over times spread across 2026-2027 and N from 0 to 20.
Limit: the ``holidays`` package's own ``get_nth_working_day(day, N)`` on the same
dates, which knows neither office hours nor the city's extra days.
Also: opening the shipped catalog snapshot and shaping it for the screens (what a
kiosk that never reached the city does once at start).
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from bench.stats import Result, main_for, median, p99


def run(quick: bool = False) -> list[Result]:
    from kiosk.calendar import WorkCalendar
    n = 2000 if quick else 20000
    rng = random.Random(5)
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    start = datetime(2026, 1, 1, tzinfo=zone)
    cases = [(start + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
              rng.randrange(0, 21)) for _ in range(n)]
    cal = WorkCalendar.build(published={"days_off": ["2027-02-11"],
                                        "working_days": ["2027-02-13"]})
    bare = holidays.country_holidays("VN")
    for at, days in cases[:200]:                 # warm both (years loaded lazily)
        cal.appointment(at, days)
        bare.get_nth_working_day(at.date(), days)
    ours, lib = [], []
    for at, days in cases:
        t0 = time.perf_counter()
        cal.appointment(at, days)
        t1 = time.perf_counter()
        bare.get_nth_working_day(at.date(), days)
        t2 = time.perf_counter()
        ours.append((t1 - t0) * 1e6)
        lib.append((t2 - t1) * 1e6)

    from kiosk import catalog as shipped
    loads = []
    for _ in range(5 if quick else 20):
        shipped.snapshot.cache_clear()
        t0 = time.perf_counter()
        procs = shipped.SnapshotCatalog().procedures()
        loads.append((time.perf_counter() - t0) * 1000.0)
    return [
        Result("appointment date (calendar, N working days)", median(ours), median(lib), "µs",
               how=f"median over {n} deposits at random times of 2026-2027, N 0-20",
               limit_how="median of holidays' get_nth_working_day on the same dates",
               notes=[f"p99 {p99(ours):.1f} µs vs bare p99 {p99(lib):.1f} µs"]),
        Result("catalog snapshot opened for the screens", median(loads), None, "ms",
               how=f"median of {len(loads)} cold reads of kiosk/catalog/snapshot.json "
                   f"({len(procs)} procedures offered)",
               notes=["no bare limit: a one-off at start, listed for scale"]),
    ]


if __name__ == "__main__":
    main_for(run)
