"""Collect deposits and take back expired results: trays open one at a time and the
staff member confirms each paper, or reports that the tray does not hold what the
record says (an incident; the tray goes out of service)."""
from __future__ import annotations

import logging

from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.rounds.model import RoundError, RoundRun, TakeStep

log = logging.getLogger(__name__)


class CollectSteps:
    """Collect and take-back steps of ``RoundService`` (``purpose`` 'collect' or
    'retrieve')."""

    def next_tray(self, run: RoundRun, purpose: str) -> str | None:
        state = T.OCCUPIED_DEPOSIT if purpose == "collect" else T.EXPIRED
        for t in self.ledger.trays(state=state):
            if t["id"] not in run.skipped:
                return t["id"]
        return None

    def open_next(self, run: RoundRun, purpose: str) -> TakeStep | None:
        """Blocking: open the next tray to empty (``purpose`` 'collect' or 'retrieve');
        None when there is none left. A tray whose door does not open is skipped and
        noted in the report."""
        while True:
            tray = self.next_tray(run, purpose)
            if tray is None:
                return None
            step = self.open_tray(run, tray, purpose)
            if step.opened:
                return step

    def open_tray(self, run: RoundRun, tray: str, purpose: str) -> TakeStep:
        row = self.ledger.tray(tray)
        want = T.OCCUPIED_DEPOSIT if purpose == "collect" else T.EXPIRED
        if row["state"] != want.value:
            raise RoundError("tray.state", f"tray {tray} is {row['state']}, not "
                                           f"{want.value}")
        txn = f"{run.id}:{purpose}:{tray}"
        verb = "collect deposit" if purpose == "collect" else "take back expired result"
        try:
            opened = self.doors.open(tray, actor=run.actor, reason=f"round {run.label}: {verb}",
                                     txn=txn)
        except Exception as exc:
            opened = False
            log.warning("tray %s did not open for %s: %s", tray, purpose, exc)
        step = TakeStep(purpose, tray, row["dossier_code"], txn, bool(opened))
        if not opened:
            run.skipped.add(tray)
            run.problems.append(f"tray {tray} did not open ({verb})")
            return step
        reading = self.doors.reading(tray) if hasattr(self.doors, "reading") else None
        step.occupied = reading.occupied if reading is not None else None
        return step

    def confirm_taken(self, run: RoundRun, step: TakeStep, scanned: str | None = None) -> dict:
        """The staff member has the paper (scanned its code, or tapped)."""
        if step.done:
            raise RoundError("step.done", f"tray {step.tray} is already done")
        if scanned is not None:
            code = scanned.strip().upper()
            if code != (step.dossier_code or ""):
                raise RoundError("code.mismatch", f"this paper is {code}; tray {step.tray} "
                                                  f"should hold {step.dossier_code}. Scan the "
                                                  "paper from this tray, or report a problem",
                                 scanned=code, expected=step.dossier_code)
        code = step.dossier_code
        how = "scanned" if scanned else "tapped"
        with self.ledger.transaction():
            if step.purpose == "collect":
                self.ledger.move_tray(step.tray, T.EMPTY, actor=run.actor, txn=step.txn,
                                      reason=f"deposit collected ({how})")
                self.ledger.move_dossier(code, D.COLLECTED, actor=run.actor, txn=step.txn,
                                         reason=f"collected at round {run.label}",
                                         data={"round": run.id, "confirmed": how})
            else:
                self.ledger.move_tray(step.tray, T.EMPTY, actor=run.actor, txn=step.txn,
                                      reason=f"expired result taken back ({how})")
                self.ledger.move_dossier(code, D.RETURNED_TO_OFFICE, actor=run.actor,
                                         txn=step.txn,
                                         reason=f"taken back to the office at round "
                                                f"{run.label}",
                                         data={"round": run.id, "confirmed": how})
                self._sms_request(code, "result.returned", self.returned_text(code),
                                  actor=run.actor)
        step.done = True
        item = {"code": code, "tray": step.tray, "confirmed": how}
        (run.collected if step.purpose == "collect" else run.returned).append(item)
        return item

    def report_problem(self, run: RoundRun, step: TakeStep, *, found: str = "empty",
                       scanned: str | None = None) -> dict:
        """The tray does not hold what the record says: ``found`` 'empty' or 'other'
        (a different dossier, ``scanned``)."""
        if step.done:
            raise RoundError("step.done", f"tray {step.tray} is already done")
        if found == "empty":
            kind = "deposit.missing" if step.purpose == "collect" else "result.missing"
            detail = f"record says {step.dossier_code}, tray found empty"
        else:
            kind = "dossier.mismatch"
            detail = (f"record says {step.dossier_code}, tray holds "
                      f"{(scanned or 'another dossier').strip().upper()}")
        if step.occupied is not None:
            detail += f" (item sensor: {'full' if step.occupied else 'empty'})"
        item = self._incident(run, step.tray, kind, detail, dossier=step.dossier_code)
        step.done = True
        run.skipped.add(step.tray)
        return item
