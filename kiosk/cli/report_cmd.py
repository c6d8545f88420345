"""``kiosk report``: the office's figures for a period as CSV, workbook, charts and one
PDF page, read from the kiosk's own database (read-only)."""
from __future__ import annotations

import re
import sys
import time
from datetime import date, datetime
from pathlib import Path

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(text: str, flag: str) -> date:
    if not _DAY.match(text or ""):
        raise ValueError(f"{flag} {text!r} is not a date written YYYY-MM-DD, e.g. 2026-03-01")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not a day of the calendar") from None


def write_report(db, start: date, end: date, out: Path, *, kiosk_name: str,
                 zone: str, generated: datetime | None = None) -> dict:
    """Every file of the report in ``out``; what was written and the outbox counts."""
    from kiosk.reports.charts import write_charts
    from kiosk.reports.figures import period_figures
    from kiosk.reports.page import write_pdf
    from kiosk.reports.tables import write_csv, write_xlsx
    fig = period_figures(db, start, end, zone)
    out.mkdir(parents=True, exist_ok=True)
    generated = generated or datetime.now(fig.zone)
    files = [write_csv(fig, out / "report.csv"),
             write_xlsx(fig, out / "report.xlsx", kiosk_name),
             *write_charts(fig, out),
             write_pdf(fig, out / "report.pdf", kiosk_name, f"{generated:%H:%M %d/%m/%Y}")]
    return {"figures": fig, "files": files}


def report(args) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.reports.figures import ReadOnlyStore
    try:
        start, end = _day(args.date_from, "--from"), _day(args.date_to, "--to")
        if end < start:
            raise ValueError(f"--to {end} is before --from {start}; swap them")
    except ValueError as exc:
        print(f"kiosk report: {exc}", file=sys.stderr)
        return 2
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    db_path = Path(args.db) if args.db else cfg.db_path
    try:
        db = ReadOnlyStore(db_path)
    except FileNotFoundError as exc:
        print(f"kiosk report: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        done = write_report(db, start, end, Path(args.out), kiosk_name=cfg.kiosk.name,
                            zone=cfg.kiosk.timezone)
    except OSError as exc:
        print(f"kiosk report: cannot write into {args.out}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:   # a damaged database: say which file
        import sqlite3
        if isinstance(exc, sqlite3.DatabaseError):
            print(f"kiosk report: {db_path} is not a usable kiosk database: {exc}",
                  file=sys.stderr)
            return 1
        raise
    finally:
        db.close()
    fig = done["figures"]
    t = fig.totals
    print(f"report {start} – {end} ({len(fig.days)} days, {fig.zone.key}): "
          f"{t['deposited']} deposited, {t['picked_up']} picked up, {t['expired']} expired, "
          f"{t['fees_vnd']:,} VND in fees, {t['ratings']} ratings")
    for path in done["files"]:
        print(f"  {path}")
    if fig.outbox_pending:
        print(f"{fig.outbox_pending} events still waiting for the city "
              f"({fig.outbox_pending_period} of them from this period): the city's figures "
              "will differ until they are sent")
    else:
        print("0 events waiting for the city: its figures should match")
    if fig.outbox_dead:
        print(f"{fig.outbox_dead} events refused by the city for good "
              "(kiosk db outbox --db ... lists them)")
    print(f"written in {time.perf_counter() - t0:.2f} s")
    return 0


def register(sub, groups) -> None:
    p = sub.add_parser("report", help="the office's figures for a period: report.csv, "
                                      "report.xlsx, charts and report.pdf")
    p.add_argument("--config", default=None, help="kiosk profile (default config/sim.toml)")
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD",
                   help="first day (local time of the kiosk)")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD",
                   help="last day, included")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the files")
    p.add_argument("--db", default=None, help="another kiosk.db than the profile's")
    p.set_defaults(func=report)
