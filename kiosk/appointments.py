"""The date a citizen is told to come back, and every later date that replaces it.

A dossier's appointment is a list, not a field: the first row is the promise made at
the kiosk (``basis = "received"``); a supplement request, a delay with its apology
slip or a new date set by the office adds a row, and the newest row is the date in
force. Nothing is overwritten, so the receipt's promise and each change stay readable
and the journal can point at them.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from kiosk.calendar import WorkCalendar
from kiosk.store import register_migrations

register_migrations([("kiosk-0001-appointments", [
    """CREATE TABLE appointments (
        id INTEGER PRIMARY KEY, dossier_code TEXT NOT NULL, date TEXT NOT NULL,
        basis TEXT NOT NULL, received_on TEXT, working_days INTEGER, set_at TEXT NOT NULL,
        actor TEXT NOT NULL, note TEXT)""",
    "CREATE INDEX appointments_dossier ON appointments(dossier_code, id)",
])])

FIRST = "received"

LABELS = {"vi": "Ngày hẹn trả kết quả", "en": "Date to collect the result",
          "zh": "领取结果日期"}


def label(lang: str, day: date) -> str:
    """'Ngày hẹn trả kết quả: 17/02/2027' in the citizen's language."""
    colon = "：" if lang == "zh" else ": "
    return f"{LABELS.get(lang, LABELS['vi'])}{colon}{day:%d/%m/%Y}"


def calendar_for(cfg, catalog=None) -> WorkCalendar:
    """The office's calendar: profile hours, the catalog's published corrections."""
    published = catalog.calendar() if catalog is not None and hasattr(catalog, "calendar") \
        else None
    opens, closes = cfg.kiosk.office_hours
    return WorkCalendar.build(timezone=cfg.kiosk.timezone, opens=opens, closes=closes,
                              published=published)


class AppointmentBook:
    """Promises per dossier; ``calendar`` is called each time (the catalog may change)."""

    def __init__(self, store, clock, calendar):
        self.store, self.clock = store, clock
        store.migrate()
        self._calendar = calendar if callable(calendar) else (lambda: calendar)

    def calendar(self) -> WorkCalendar:
        return self._calendar()

    def promise(self, processing_days: int, at: datetime | None = None) -> tuple[date, date]:
        """(received working day, appointment date) for a dossier handed in ``at``."""
        cal = self.calendar()
        at = at or self.clock.now()
        received = cal.received_day(at)
        return received, cal.add_working_days(received, int(processing_days))

    def record(self, code: str, day: date, *, basis: str, actor: str,
               received_on: date | None = None, working_days: int | None = None,
               note: str = "") -> dict:
        """Add a date for a dossier; the newest one is in force."""
        now = self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        with self.store.write():
            self.store.execute(
                "INSERT INTO appointments(dossier_code, date, basis, received_on, "
                "working_days, set_at, actor, note) VALUES (?,?,?,?,?,?,?,?)",
                (code, day.isoformat(), basis,
                 received_on.isoformat() if received_on else None, working_days, now, actor,
                 note or None))
        return self.current(code)

    def current(self, code: str) -> dict | None:
        rows = self.store.query("SELECT * FROM appointments WHERE dossier_code = ? "
                                "ORDER BY id DESC LIMIT 1", (code,))
        return dict(rows[0]) if rows else None

    def current_date(self, code: str) -> date | None:
        row = self.current(code)
        return date.fromisoformat(row["date"]) if row else None

    def current_dates(self, codes: list[str]) -> dict[str, date]:
        """The date in force for each of several dossiers, in one query."""
        if not codes:
            return {}
        marks = ",".join("?" * len(codes))
        out: dict[str, date] = {}
        for r in self.store.query(f"SELECT dossier_code, date FROM appointments WHERE "
                                  f"dossier_code IN ({marks}) ORDER BY id", list(codes)):
            out[r["dossier_code"]] = date.fromisoformat(r["date"])   # newest row wins
        return out

    def history(self, code: str) -> list[dict]:
        return [dict(r) for r in self.store.query(
            "SELECT * FROM appointments WHERE dossier_code = ? ORDER BY id", (code,))]
