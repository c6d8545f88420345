"""The alert book: what needs a person, raised once and cleared once.

A door left open, a tamper alarm, a lock board or another device offline, the printer
out of paper, the disk almost full, city events waiting for more than an hour. Each
(kind, subject) is raised once, with a journal row and an outbox event for the city, and
cleared once when the condition has been gone for ``clear_after_s`` (a flapping sensor
does not flood the city). Active alerts live in the database, so a restart does not
raise them again. ``active()`` feeds the technician screen and the heartbeat.
"""
from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from hardware.ports import DeviceHealth, DeviceStatus, DoorState, PrinterState
from kiosk.models import TrayState
from kiosk.store import register_migrations

log = logging.getLogger(__name__)

ACTOR = "system:alerts"

DOOR_LEFT_OPEN = "door.left_open"
TAMPER = "alarm.tamper"
DEVICE_OFFLINE = "device.offline"
PRINTER_PAPER_OUT = "printer.paper_out"
DISK_LOW = "disk.almost_full"
OUTBOX_STALE = "outbox.stale"

ADVICE = {
    DOOR_LEFT_OPEN: "close the tray door; check that nothing blocks it",
    TAMPER: "check the tray's contents, then resolve it on the technician screen",
    DEVICE_OFFLINE: "check the device's power and cable; see the diagnostics screen",
    PRINTER_PAPER_OUT: "load a new 80 mm roll; receipts go by SMS meanwhile",
    DISK_LOW: "free space on the data disk (old logs, scans) or fit a larger card",
    OUTBOX_STALE: "check the network link and the city token; events are kept meanwhile",
}
SEVERITY = {TAMPER: "critical", DOOR_LEFT_OPEN: "warning", DEVICE_OFFLINE: "critical",
            PRINTER_PAPER_OUT: "warning", DISK_LOW: "critical", OUTBOX_STALE: "warning"}

register_migrations([("ops-0001-alerts", [
    """CREATE TABLE alerts (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,
        detail TEXT, raised_at TEXT NOT NULL, cleared_at TEXT, clear_reason TEXT)""",
    "CREATE UNIQUE INDEX alerts_one_active ON alerts(kind, subject) WHERE cleared_at IS NULL",
])])


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str
    detail: str
    raised_at: str

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.kind, "warning")

    @property
    def advice(self) -> str:
        return ADVICE.get(self.kind, "")

    def as_dict(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail,
                "severity": self.severity, "advice": self.advice,
                "raised_at": self.raised_at}


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class AlertBook:
    """``AlertBook(ledger, clock)``: ``observe(kind, subject, active, detail)`` from any
    probe; ``raise_``/``clear`` for events; ``evaluate()`` runs the registered probes."""

    def __init__(self, ledger, clock, *, clear_after_s: float = 60.0):
        self.ledger = ledger
        self.store = ledger.store
        self.clock = clock
        self.clear_after_s = clear_after_s
        self.store.migrate()
        self._lock = threading.RLock()
        self._last_seen: dict[tuple[str, str], float] = {}
        self._probes: list[Callable[[], Iterable[tuple[str, str, bool, str]]]] = []
        self._listeners: list[Callable[[str, Alert], None]] = []

    # ---- reads ----------------------------------------------------------------------
    def active(self) -> list[Alert]:
        rows = self.store.query("SELECT kind, subject, detail, raised_at FROM alerts "
                                "WHERE cleared_at IS NULL ORDER BY id")
        return [Alert(r["kind"], r["subject"], r["detail"] or "", r["raised_at"])
                for r in rows]

    def is_active(self, kind: str, subject: str) -> bool:
        return self.store.query_one("SELECT 1 FROM alerts WHERE kind = ? AND subject = ? "
                                    "AND cleared_at IS NULL", (kind, subject)) is not None

    def as_health(self) -> list[DeviceHealth]:
        """The active alerts as heartbeat entries (device 'alert:<kind>:<subject>')."""
        return [DeviceHealth(f"alert:{a.kind}:{a.subject}",
                             DeviceStatus.HWERROR if a.severity == "critical"
                             else DeviceStatus.BUSY, a.detail, a.advice)
                for a in self.active()]

    def add_listener(self, callback: Callable[[str, Alert], None]) -> None:
        """``callback('raised'|'cleared', alert)`` after the change is committed."""
        self._listeners.append(callback)

    # ---- changes --------------------------------------------------------------------
    def raise_(self, kind: str, subject: str, detail: str = "") -> bool:
        """Raise an alert; False (and nothing written) when it is already active."""
        key = (kind, subject)
        with self._lock:
            self._last_seen[key] = self.clock.monotonic()
            if self.is_active(kind, subject):
                return False
            at = _iso(self.clock.now())
            with self.ledger.transaction():
                self.store.execute("INSERT INTO alerts(kind, subject, detail, raised_at) "
                                   "VALUES (?, ?, ?, ?)", (kind, subject, detail, at))
                self.ledger.event("alert.raised", actor=ACTOR, subject=subject,
                                  reason=detail or kind,
                                  data={"kind": kind, "severity": SEVERITY.get(kind),
                                        "advice": ADVICE.get(kind, "")})
        alert = Alert(kind, subject, detail, at)
        log.warning("alert raised: %s %s: %s", kind, subject, detail)
        self._tell("raised", alert)
        return True

    def clear(self, kind: str, subject: str, reason: str = "condition gone") -> bool:
        """Clear an active alert; False when there was none."""
        with self._lock:
            self._last_seen.pop((kind, subject), None)
            row = self.store.query_one("SELECT detail, raised_at FROM alerts WHERE kind = ? "
                                       "AND subject = ? AND cleared_at IS NULL",
                                       (kind, subject))
            if row is None:
                return False
            with self.ledger.transaction():
                self.store.execute("UPDATE alerts SET cleared_at = ?, clear_reason = ? "
                                   "WHERE kind = ? AND subject = ? AND cleared_at IS NULL",
                                   (_iso(self.clock.now()), reason, kind, subject))
                self.ledger.event("alert.cleared", actor=ACTOR, subject=subject,
                                  reason=reason, data={"kind": kind})
        log.info("alert cleared: %s %s (%s)", kind, subject, reason)
        self._tell("cleared", Alert(kind, subject, row["detail"] or "", row["raised_at"]))
        return True

    def observe(self, kind: str, subject: str, active: bool, detail: str = "") -> None:
        """A probe's reading: raise when active; clear when it has been inactive for
        ``clear_after_s`` (hysteresis against a flapping input)."""
        if active:
            self.raise_(kind, subject, detail)
            return
        with self._lock:
            if not self.is_active(kind, subject):
                return
            seen = self._last_seen.setdefault((kind, subject), self.clock.monotonic())
            if self.clock.monotonic() - seen >= self.clear_after_s:
                self.clear(kind, subject, "condition gone for "
                           f"{self.clear_after_s:.0f} s")

    def _tell(self, what: str, alert: Alert) -> None:
        for cb in list(self._listeners):
            try:
                cb(what, alert)
            except Exception:   # noqa: BLE001
                log.exception("alert listener failed")

    # ---- probes ---------------------------------------------------------------------
    def add_probe(self, probe: Callable[[], Iterable[tuple[str, str, bool, str]]]) -> None:
        """``probe()`` yields ``(kind, subject, active, detail)`` readings."""
        self._probes.append(probe)

    def evaluate(self) -> list[Alert]:
        """Run every probe once (the UI timer or the sync thread calls this)."""
        for probe in list(self._probes):
            try:
                readings = list(probe())
            except Exception:   # noqa: BLE001 - one broken probe must not stop the others
                log.exception("alert probe %r failed", probe)
                continue
            for kind, subject, active, detail in readings:
                self.observe(kind, subject, active, detail)
        return self.active()

    def watch_doors(self, doors) -> None:
        """Raise on the door service's alerts; clear once the door is shut again or
        the tampered tray was resolved by a technician."""
        doors.add_alert_listener(lambda tray, kind: self.raise_(
            kind, tray, "door open for too long" if kind == DOOR_LEFT_OPEN
            else "door opened with no unlock command"))

        def probe():
            for a in self.active():
                if a.kind == DOOR_LEFT_OPEN:
                    shut = doors.door(a.subject) != DoorState.OPEN
                    yield DOOR_LEFT_OPEN, a.subject, not shut, a.detail
                elif a.kind == TAMPER:
                    state = self.ledger.tray(a.subject)["state"]
                    yield TAMPER, a.subject, state == TrayState.TAMPERED.value, a.detail
        self.add_probe(probe)

    def watch_devices(self, health: Callable[[], Iterable[DeviceHealth]]) -> None:
        """Lock boards, printer, modem... offline or in hardware error. A printer out of
        paper (its health says state 'paper-out') is that alert, not 'offline'."""
        def probe():
            for h in health():
                if h.device.startswith("alert:"):
                    continue
                bad = h.status in (DeviceStatus.OFFLINE, DeviceStatus.HWERROR)
                paper_out = h.extra.get("state") == PrinterState.PAPER_OUT.value
                yield DEVICE_OFFLINE, h.device, bad and not paper_out, h.detail
                if "state" in h.extra:
                    yield PRINTER_PAPER_OUT, h.device, paper_out, h.detail
        self.add_probe(probe)

    def watch_printer(self, state: Callable[[], PrinterState], name: str = "printer") -> None:
        def probe():
            s = state()
            yield PRINTER_PAPER_OUT, name, s == PrinterState.PAPER_OUT, \
                "the receipt paper has run out"
        self.add_probe(probe)

    def watch_disk(self, path: str | Path, *, min_free_fraction: float = 0.10,
                   min_free_bytes: int = 500 * 1024 * 1024,
                   usage: Callable = shutil.disk_usage) -> None:
        """Almost full: less than 10 % or 500 MB free, whichever is larger."""
        def probe():
            u = usage(str(path))
            limit = max(min_free_bytes, int(u.total * min_free_fraction))
            yield DISK_LOW, "disk", u.free < limit, \
                f"{u.free // (1024 * 1024)} MB free of {u.total // (1024 * 1024)} MB on {path}"
        self.add_probe(probe)

    def watch_outbox(self, max_age_s: float = 3600.0) -> None:
        """City events undelivered for longer than an hour."""
        def probe():
            row = self.store.query_one(
                "SELECT MIN(created_at) t, COUNT(*) n FROM outbox "
                "WHERE delivered_at IS NULL AND dead_letter IS NULL")
            age = 0.0
            if row and row["t"]:
                born = datetime.fromisoformat(row["t"].replace("Z", "+00:00"))
                age = (self.clock.now() - born).total_seconds()
            yield OUTBOX_STALE, "outbox", age > max_age_s, \
                f"{row['n']} event(s) waiting, the oldest for {age / 60:.0f} min"
        self.add_probe(probe)


def build_alert_book(cfg, ledger, clock, *, doors=None, health=None,
                     printer_state=None) -> AlertBook:
    """The alert book of a kiosk with every probe its profile allows; call
    ``evaluate()`` every few seconds and put ``as_health()`` into the heartbeat."""
    book = AlertBook(ledger, clock)
    if doors is not None:
        book.watch_doors(doors)
    if health is not None:
        book.watch_devices(health)
    if printer_state is not None:
        book.watch_printer(printer_state)
    book.watch_disk(cfg.data_dir)
    book.watch_outbox()
    return book
