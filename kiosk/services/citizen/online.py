"""Scanning the papers and submitting them online instead of leaving paper in a tray."""
from __future__ import annotations

import io
import logging

from kiosk.models import DossierState as D
from kiosk.services.citizen.deposit import Deposit
from kiosk.services.citizen.errors import ACTOR, CitizenError

log = logging.getLogger(__name__)


class OnlineSteps:
    """Scan and online-submission steps of ``CitizenService``."""

    def scan(self, deposit: Deposit) -> list:
        """Blocking: scan the papers in the feeder and add the pages to the deposit."""
        if self.scanner is None:
            raise CitizenError("scanner.unavailable")
        try:
            pages = self.scanner.scan(deposit.txn)
        except Exception as exc:
            state = getattr(getattr(exc, "state", None), "value", None)
            text = str(exc).lower()
            if state == "jam" or (state is None and "jam" in text):
                reason = "scanner.jam"
            elif state == "no-paper" or (state is None and "paper" in text):
                reason = "scanner.no_paper"
            else:
                reason = "scanner.unavailable"
            raise CitizenError(reason, str(exc)) from None
        if not pages:
            raise CitizenError("scanner.no_paper", "the feeder is empty")
        if self.ecopies is not None:   # checked at the glass, while the citizen is here
            deposit.page_reports.extend(self.ecopies.check(pages, len(deposit.pages) + 1))
        deposit.pages.extend(pages)
        return pages

    def cancel_scan(self) -> None:
        """Stop a scan still waiting for paper (Back, Home, idle)."""
        cancel = getattr(self.scanner, "cancel", None)
        if cancel is not None:
            cancel()

    def pages_pdf(self, pages: list) -> bytes:
        """The scanned pages as one PDF: the scanner's own maker when wired (grey JPEGs
        sized to the page budget), else plain JPEGs."""
        if self.pdf_maker is not None:
            return self.pdf_maker(pages)
        import img2pdf
        blobs = []
        for page in pages:
            buf = io.BytesIO()
            page.convert("RGB").save(buf, format="JPEG", quality=85)
            blobs.append(buf.getvalue())
        return img2pdf.convert(blobs)

    def submit_online(self, deposit: Deposit) -> str:
        """Blocking: send the scanned pages to the city instead of leaving paper."""
        if not deposit.procedure.online_allowed:
            raise CitizenError("online.not_allowed")
        if not deposit.pages:
            raise CitizenError("scanner.no_paper", "scan the papers first")
        # with e-copies wired, OCR and signature happen in the background after this
        pdf = self.pages_pdf(deposit.pages) if self.ecopies is None else b""
        if self.ecopies is not None:   # the pages on disk first: a power cut loses none
            self.ecopies.stage(deposit)
        promise = self._promise(deposit)
        with self.ledger.transaction():
            dossier = self.ledger.create_dossier(
                procedure_code=deposit.procedure.code,
                procedure_name=deposit.procedure.name("vi"), state=D.DRAFT, actor=ACTOR,
                phone=deposit.phone, id_number=deposit.id_number,
                tray_size=deposit.procedure.tray_size, fee=deposit.procedure.fee,
                channel="kiosk-online", citizen_name=deposit.name or None, code=deposit.code,
                data={"txn": deposit.txn, "pages": len(deposit.pages), **promise},
                fields={"payment": deposit.payment_state},
                city_extra=self._city_extra(deposit, promise))
            self._keep_promise(dossier["code"], promise)
            self.ledger.move_dossier(dossier["code"], D.SUBMITTED_ONLINE, actor=ACTOR,
                                     reason="scanned and submitted at the machine",
                                     data={"pdf_bytes": len(pdf),
                                           "payment": deposit.payment_state})
        deposit.code, deposit.online, deposit.finished = dossier["code"], True, True
        if self.ecopies is not None:
            self.ecopies.commit(deposit)
        elif self.uploads is not None:
            try:
                self.uploads.upload(deposit.code, pdf, key=f"upload-{deposit.code}")
            except Exception as exc:   # the upload queue retries; the citizen is done
                log.info("upload of %s queued after error: %s", deposit.code, exc)
        return deposit.code
