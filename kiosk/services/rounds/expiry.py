"""The periodic expiry check: a reminder SMS before the pickup deadline, then EXPIRED at
the deadline (idempotent, on a thread of its own)."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from kiosk.clock import parse_iso, utc_iso
from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.rounds.model import EXPIRY_ACTOR
from kiosk.services.rounds.sms import fmt_deadline

if TYPE_CHECKING:
    from kiosk.services.rounds.service import RoundService

log = logging.getLogger(__name__)


class ExpirySteps:
    """Expiry steps of ``RoundService``."""

    def start_expiry(self, every_s: float = 60.0) -> "RoundService":
        """Run ``run_expiry`` every ``every_s`` seconds on a thread of its own."""
        if getattr(self, "_expiry_thread", None) is None:
            self._expiry_stop = threading.Event()

            def loop():
                while not self._expiry_stop.wait(every_s):
                    try:
                        self.run_expiry()
                    except Exception:
                        log.exception("expiry check failed; trying again in %.0f s", every_s)
            self._expiry_thread = threading.Thread(target=loop, name="result-expiry",
                                                   daemon=True)
            self._expiry_thread.start()
        return self

    def close(self) -> None:
        thread = getattr(self, "_expiry_thread", None)
        if thread is not None:
            self._expiry_stop.set()
            thread.join(timeout=5)
            self._expiry_thread = None

    def run_expiry(self, actor: str = EXPIRY_ACTOR) -> dict:
        """Send due reminders and expire results past their deadline (idempotent)."""
        now = self.clock.now()
        reminded, expired = [], []
        remind_before = timedelta(hours=self.reminder_hours_before)
        for d in self.ledger.dossiers(state=D.RESULT_LOADED):
            if not d.get("deadline_at"):
                continue
            deadline = parse_iso(d["deadline_at"]).astimezone(self.clock.zone)
            if now >= deadline:
                with self.ledger.transaction():
                    tray = d.get("tray_id")
                    if tray and self.ledger.tray(tray)["state"] == T.OCCUPIED_RESULT.value:
                        self.ledger.move_tray(tray, T.EXPIRED, actor=actor,
                                              reason="not picked up before the deadline")
                    self.ledger.move_dossier(d["code"], D.EXPIRED, actor=actor,
                                             reason=f"not picked up by {fmt_deadline(deadline)}")
                expired.append(d["code"])
            elif (self.reminder_hours_before and not d.get("reminder_sent_at")
                  and now >= deadline - remind_before):
                with self.ledger.transaction():
                    self._sms_request(d["code"], "result.reminder",
                                      self.reminder_text(d["code"], d.get("tray_id") or "",
                                                         deadline), actor=actor)
                    self.ledger.set_dossier_fields(d["code"], actor=actor,
                                                   reason="pickup reminder sent",
                                                   reminder_sent_at=utc_iso(now))
                reminded.append(d["code"])
        return {"reminded": reminded, "expired": expired}
