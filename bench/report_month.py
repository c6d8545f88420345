"""``kiosk report`` on a month of kiosk life: the leader's wait for the five files.

The month is ``kiosk.reports.sample.scripted_period`` (31 days, about 45 citizens a
day, 90 trays: deposits, two rounds a day, results, pickups with fees, expiries, take
backs and ratings, all through the ledger), built once into bench/.cache/.

Measured: the whole command as a leader runs it, a new process each time
(``kiosk report --config config/sim.toml --db ... --from 2026-03-01 --to 2026-03-31``),
wall time, median of 3; the issue's budget is 5 s. Beside it, in the same run, the two
halves against their bare libraries: the figures (``period_figures``) against one bare
SELECT of the same journal rows joined to their dossiers, and the charts and PDF page
against matplotlib drawing the same number of figures of the same size with one plain
bar chart each.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from bench.stats import CACHE_DIR, Result, main_for, median

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2026, 3, 1), date(2026, 3, 31)
BUDGET_S = 5.0


def build() -> Path:
    path = CACHE_DIR / "report-month.db"
    if path.exists():
        return path
    from kiosk.clock import ManualClock
    from kiosk.config.cabinets import TraySpec
    from kiosk.pii import Pii
    from kiosk.reports.sample import scripted_period
    from kiosk.services.ledger import Ledger
    from kiosk.store import Store
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    store = Store.open(tmp)
    store.conn.execute("PRAGMA synchronous = OFF")      # a fixture, not a kiosk
    led = Ledger(store, ManualClock(datetime(2026, 3, 1)), Pii(b"bench-report-key-0123456"),
                 kiosk_id="BENCH-01")
    led.sync_trays([TraySpec(f"{c}{i:02d}", c, "SML"[i % 3], None, None, None, None, None,
                             None) for c in "AB" for i in range(45)])
    led.sync_trays([])
    scripted_period(led, START, (END - START).days + 1, seed=2026)
    store.close()
    tmp.rename(path)
    return path


def _command(db: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``kiosk report`` in a new process; the CPU time
    (user + system, from wait4) is what a machine not shared with others would wait."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "report", "--config",
                             str(ROOT / "config" / "sim.toml"), "--db", str(db), "--from",
                             START.isoformat(), "--to", END.isoformat(), "--out", str(out)],
                            stdout=subprocess.DEVNULL, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"kiosk report failed with status {proc.returncode}")
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def _bare_matplotlib(out: Path, sizes) -> None:
    from matplotlib.figure import Figure
    for i, (w, h, fmt) in enumerate(sizes):
        fig = Figure(figsize=(w, h))
        fig.add_subplot().bar(range(31), range(31))
        fig.savefig(out / f"bare-{i}.{fmt}", dpi=110)


def run(quick: bool = False) -> list[Result]:
    from kiosk.reports.charts import write_charts
    from kiosk.reports.figures import ReadOnlyStore, period_figures, utc_bound
    from kiosk.reports.page import write_pdf
    db = build()
    n = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _command(db, out / "warm")                        # font cache, page cache
        runs = [_command(db, out / f"r{i}") for i in range(n)]
        whole, cpu = [w for w, _ in runs], [c for _, c in runs]
        load = os.getloadavg()[0]
        ro = ReadOnlyStore(db)
        events = ro.rows("SELECT COUNT(*) FROM journal")[0][0]
        zone = "Asia/Ho_Chi_Minh"
        lo, hi = utc_bound(START, __import__("zoneinfo").ZoneInfo(zone)), \
            utc_bound(date(2026, 4, 1), __import__("zoneinfo").ZoneInfo(zone))
        fig_s, bare_s, draw_s, mpl_s = [], [], [], []
        for i in range(n * 2):
            t0 = time.perf_counter()
            fig = period_figures(ro, START, END, zone)
            fig_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ro.rows("SELECT j.at, j.action, j.to_state, j.data, j.subject, d.procedure_code,"
                    " d.procedure_name, d.fee FROM journal j LEFT JOIN dossiers d ON "
                    "d.code = j.subject WHERE j.at >= ? AND j.at < ?", (lo, hi))
            bare_s.append(time.perf_counter() - t0)
        for i in range(n):
            d = out / f"c{i}"
            d.mkdir()
            t0 = time.perf_counter()
            write_charts(fig, d)
            write_pdf(fig, d / "report.pdf", "Bench", "now")
            draw_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            _bare_matplotlib(d, [(9, 5, "png")] * 4 + [(9, 5.5, "png"), (8.27, 11.69, "pdf")])
            mpl_s.append(time.perf_counter() - t0)
        ro.close()
    t = fig.totals
    return [
        Result("kiosk report, a month (31 days), CPU", median(cpu), BUDGET_S, "s",
               how=f"user + system time of the whole command in a new process, median "
                   f"of {n}",
               limit_how="the issue's budget (5 s), not a physical limit",
               notes=[f"{events} journal events, {t['deposited']} deposits, "
                      f"{t['picked_up']} pickups, {t['ratings']} ratings, "
                      f"{len(fig.rows)} table rows",
                      "wall: " + ", ".join(f"{s:.2f}" for s in whole) + " s with a load "
                      f"average of {load:.1f} on {os.cpu_count()} cores (a machine shared "
                      "with other work waits that much longer)"],
               extra={"events": events, "wall_s": whole, "cpu_s": cpu, "load": load}),
        Result("kiosk report, a month (31 days), wall", median(whole), BUDGET_S, "s",
               how=f"wall time of the same runs, median of {n}",
               limit_how="the issue's budget (5 s)"),
        Result("report figures from the journal, a month", median(fig_s) * 1000,
               median(bare_s) * 1000, "ms",
               how=f"period_figures, median of {len(fig_s)}",
               limit_how="one bare SELECT of the same journal rows joined to dossiers"),
        Result("report charts + PDF page, a month", median(draw_s) * 1000,
               median(mpl_s) * 1000, "ms",
               how=f"write_charts + write_pdf, median of {n}",
               limit_how="matplotlib: as many figures of the same sizes, one bar chart "
                         "each, saved as PNG and PDF"),
    ]


if __name__ == "__main__":
    main_for(run)
