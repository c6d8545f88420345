"""The round service: one object with the steps of a round (collect, load, take back,
expiry, report), what waits for staff, and the incidents a round records."""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, time as dtime, timedelta
from typing import Callable

from kiosk.clock import utc_iso
from kiosk.models import TrayState as T
from kiosk.services.rounds.collect import CollectSteps
from kiosk.services.rounds.expiry import ExpirySteps
from kiosk.services.rounds.load import LoadSteps
from kiosk.services.rounds.model import SIZES, LoadStep, RoundRun
from kiosk.services.rounds.report import ReportSteps
from kiosk.services.rounds.sms import SmsSteps

log = logging.getLogger(__name__)


class RoundService(CollectSteps, LoadSteps, ExpirySteps, SmsSteps, ReportSteps):
    """What staff do at a round; blocking calls run on the console's worker thread."""

    def __init__(self, *, ledger, doors, clock, round_times=("08:00", "13:30", "16:00"),
                 expiry_days: int = 3, reminder_hours_before: int = 24, sms=None,
                 results=None, printer=None, kiosk_id: str = "kiosk",
                 kiosk_name: str = "", office: str = "", office_address: str = "",
                 hotline: str = "1022"):
        self.ledger, self.doors, self.clock = ledger, doors, clock
        self.round_times = sorted(round_times)
        self.expiry_days = expiry_days
        self.reminder_hours_before = reminder_hours_before
        self.sms, self.results, self.printer = sms, results, printer
        self.kiosk_id, self.kiosk_name = kiosk_id, kiosk_name or kiosk_id
        self.office, self.office_address, self.hotline = office, office_address, hotline
        self._lock = threading.RLock()
        self._loads: dict[str, LoadStep] = {}
        self._listeners: list[Callable[[str, object], None]] = []
        doors.add_listener(self._on_door)

    # ---- listeners -----------------------------------------------------------------
    def add_listener(self, callback: Callable[[str, object], None]) -> None:
        """``callback(kind, step)`` from a device thread: 'load.done', 'load.empty'."""
        self._listeners.append(callback)

    def _emit(self, kind: str, payload) -> None:
        for cb in list(self._listeners):
            try:
                cb(kind, payload)
            except Exception:
                log.exception("round listener failed")

    # ---- what waits ----------------------------------------------------------------
    def round_label(self, now: datetime | None = None) -> str:
        """The scheduled round nearest to ``now`` (a round started early or late is
        still that round)."""
        now = now or self.clock.now()
        best, best_gap = self.round_times[0], None
        for label in self.round_times:
            h, m = int(label[:2]), int(label[3:])
            at = now.replace(hour=h, minute=m, second=0, microsecond=0)
            gap = min(abs((at - now).total_seconds()),
                      abs((at + timedelta(days=1) - now).total_seconds()),
                      abs((at - timedelta(days=1) - now).total_seconds()))
            if best_gap is None or gap < best_gap:
                best, best_gap = label, gap
        return best

    def next_round(self, now: datetime | None = None) -> datetime:
        now = now or self.clock.now()
        for day in (0, 1):
            for label in self.round_times:
                at = datetime.combine(now.date() + timedelta(days=day),
                                      dtime(int(label[:2]), int(label[3:])), now.tzinfo)
                if at > now:
                    return at
        raise AssertionError("no round time configured")

    def overview(self) -> dict:
        """Everything that waits for staff, for the round screen."""
        deposits = [{"tray": t["id"], "code": t["dossier_code"], "since": t["state_since"]}
                    for t in self.ledger.trays(state=T.OCCUPIED_DEPOSIT)]
        expired = []
        for t in self.ledger.trays(state=T.EXPIRED):
            d = self.ledger.dossier(t["dossier_code"]) if t["dossier_code"] else None
            expired.append({"tray": t["id"], "code": t["dossier_code"],
                            "deadline": d["deadline_at"] if d else None})
        results = []
        if self.results is not None:
            for r in self.results.waiting():
                results.append({"code": r["dossier_code"],
                                "procedure": r.get("procedure_name") or r.get("procedure_code"),
                                "size": r.get("tray_size") or "M",
                                "phone": r.get("phone_masked") or ""})
        free = {s: len(self.ledger.trays(state=T.EMPTY, size=s)) for s in SIZES}
        incidents = self.ledger.store.query(
            "SELECT * FROM incidents WHERE resolved_at IS NULL ORDER BY id")
        from kiosk.reports.figures import console_figures
        return {"round": self.round_label(), "next_round": self.next_round(),
                "deposits": deposits, "results": results, "expired": expired,
                "free": free, "incidents": incidents,
                "figures": console_figures(self.ledger.store, self.clock.now())}

    # ---- the round -----------------------------------------------------------------
    def begin(self, actor: str) -> RoundRun:
        now = self.clock.now()
        label = self.round_label(now)
        run = RoundRun(id=f"R{now:%Y%m%d}-{label.replace(':', '')}-{uuid.uuid4().hex[:6]}",
                       label=label, actor=actor, started_at=now)
        self.ledger.event("round.started", actor=actor, subject=run.id,
                          reason=f"round {label}", data={"round": label})
        self.check_sensors(run)
        return run

    def check_sensors(self, run: RoundRun) -> list[dict]:
        """Trays recorded empty whose item sensor says something is inside."""
        found = []
        reading = getattr(self.doors, "reading", None)
        if reading is None:
            return found
        for t in self.ledger.trays(state=T.EMPTY):
            r = reading(t["id"])
            if r is not None and r.occupied is True:
                found.append(self._incident(run, t["id"], "item.no_record",
                                            "item sensor says full, no dossier on record"))
        return found

    def _incident(self, run: RoundRun, tray: str, kind: str, detail: str,
                  dossier: str | None = None) -> dict:
        """Record an incident and take the tray out of use, in one transaction."""
        now = utc_iso(self.clock.now())
        with self.ledger.transaction():
            cur = self.ledger.store.execute(
                "INSERT INTO incidents(at, tray_id, kind, detail, actor) VALUES (?,?,?,?,?)",
                (now, tray, kind, detail, run.actor))
            incident_id = cur.lastrowid
            self.ledger.event("incident.recorded", actor=run.actor, subject=tray, reason=detail,
                              data={"kind": kind, "incident": incident_id, "round": run.id,
                                    "dossier": dossier}, dossier_code=dossier)
            if self.ledger.tray(tray)["state"] != T.OUT_OF_SERVICE.value:
                self.ledger.move_tray(tray, T.OUT_OF_SERVICE, actor=run.actor,
                                      reason=f"incident {incident_id}: {detail}",
                                      txn=run.id)
        item = {"id": incident_id, "tray": tray, "kind": kind, "detail": detail,
                "dossier": dossier}
        run.incidents.append(item)
        return item
