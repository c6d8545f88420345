"""The deposit's view of digitisation: check the pages at the glass, then hand the
dossier to the background queue and return at once."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class DepositEcopies:
    """What ``CitizenService`` calls: ``check(pages, first)`` and ``submit(deposit)``."""

    def __init__(self, digitiser, queue, *, kiosk_id: str, clock):
        self.digitiser, self.queue = digitiser, queue
        self.kiosk_id, self.clock = kiosk_id, clock

    def check(self, pages: list, first: int = 1) -> list:
        return self.digitiser.check(pages, first)

    def meta(self, deposit) -> dict:
        p = deposit.procedure
        return {"dossier_code": deposit.code, "procedure": p.code,
                "procedure_name": p.name("vi"), "kiosk": self.kiosk_id,
                "time": self.clock.now().isoformat(timespec="seconds")}

    def _reports(self, deposit) -> list:
        reports = list(deposit.page_reports)
        if len(reports) != len(deposit.pages):      # pages added without the checks
            reports = self.digitiser.check(deposit.pages)
        return reports

    def stage(self, deposit) -> None:
        """Before the dossier is recorded: its pages on disk under the deposit's txn."""
        if deposit.pages:
            self.queue.stage(deposit.txn, list(deposit.pages), self._reports(deposit),
                             self.meta(deposit))

    def commit(self, deposit) -> None:
        """The dossier is recorded: its staged pages become a job of the queue."""
        if deposit.pages and deposit.code:
            self.queue.commit(deposit.txn, deposit.code)

    def submit(self, deposit) -> None:
        """Blocking only for writing the pages to disk (no OCR here)."""
        if not deposit.pages or not deposit.code:
            return
        self.queue.submit(deposit.code, list(deposit.pages), self._reports(deposit),
                          self.meta(deposit))

    def on_deposit_completed(self, deposit) -> None:
        """A paper deposit with scanned pages: its e-copy goes to the city as well."""
        if deposit.online or not deposit.pages:
            return
        try:
            self.submit(deposit)
        except Exception:
            log.exception("e-copy of %s not queued", deposit.code)
