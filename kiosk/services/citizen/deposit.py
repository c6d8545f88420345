"""The deposit session and its tray: reserve, open, record when the door shuts, or back
out and release the tray (papers left inside are never lost)."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.citizen.catalog import Procedure
from kiosk.services.citizen.errors import ACTOR, CitizenError

log = logging.getLogger(__name__)


@dataclass
class Deposit:
    """Everything one citizen has entered so far; wiped on cancel, idle or finish."""

    procedure: Procedure
    lang: str = "vi"
    txn: str = field(default_factory=lambda: uuid.uuid4().hex)
    id_number: str | None = None
    name: str = ""
    address: object = None          # kiosk.wards.AddressReading from the card, if any
    phone: str | None = None
    otp_challenge: str | None = None
    phone_verified: bool = False
    pages: list = field(default_factory=list)
    page_reports: list = field(default_factory=list)   # what the checks found per page
    online: bool = False
    payment: dict | None = None
    payment_state: str = "none"     # none | pending | paid | at_counter
    tray_id: str | None = None
    code: str | None = None
    finished: bool = False
    closed_empty: bool = False
    cancelling: bool = False        # backed out with the door open: ends when it shuts

    def wipe(self) -> None:
        self.id_number = self.phone = self.otp_challenge = self.address = None
        self.name = ""
        self.pages = []
        self.page_reports = []
        self.payment = None


class DepositSteps:
    """Tray steps of a deposit in ``CitizenService``; the service calls the completion
    listeners and routes door events here."""

    def reserve_tray(self, deposit: Deposit) -> str:
        """Reserve a free tray of the procedure's size and start the dossier as a draft."""
        if deposit.tray_id:
            return deposit.tray_id
        self._check_power()
        size = deposit.procedure.tray_size
        with self._lock:
            tray_id = self.doors.free_tray(size)
            if tray_id is None:
                raise CitizenError("tray.none_free", f"no free tray of size {size}", size=size)
            promise = self._promise(deposit)
            with self.ledger.transaction():
                dossier = self.ledger.create_dossier(
                    procedure_code=deposit.procedure.code,
                    procedure_name=deposit.procedure.name("vi"), state=D.DRAFT,
                    actor=ACTOR, phone=deposit.phone, id_number=deposit.id_number,
                    tray_size=size, fee=deposit.procedure.fee, channel="kiosk",
                    needs_id_check=deposit.procedure.needs_id_check,
                    citizen_name=deposit.name or None, code=deposit.code,
                    data={"txn": deposit.txn, "payment": deposit.payment_state, **promise},
                    fields={"payment": deposit.payment_state},
                    city_extra=self._city_extra(deposit, promise))
                self._keep_promise(dossier["code"], promise)
                self.ledger.move_tray(tray_id, T.RESERVED, actor=ACTOR, reason="deposit",
                                      txn=deposit.txn, dossier_code=dossier["code"],
                                      purpose="deposit")
            deposit.tray_id, deposit.code = tray_id, dossier["code"]
        return tray_id

    def open_tray(self, deposit: Deposit) -> bool:
        """Blocking (lock board): open the reserved tray; True when the door opened."""
        tray_id = deposit.tray_id or self.reserve_tray(deposit)
        with self._lock:
            self._waiting[tray_id] = deposit
            deposit.closed_empty = False
        opened = self.doors.open(tray_id, actor=ACTOR, reason="deposit", txn=deposit.txn)
        if not opened:
            with self._lock:
                self._waiting.pop(tray_id, None)
        return bool(opened)

    def finish_deposit(self, deposit: Deposit, occupied: bool | None) -> bool:
        """The door is shut: record the deposit, unless the item sensor says empty."""
        with self._lock:
            if deposit.finished or self._waiting.get(deposit.tray_id) is not deposit:
                return deposit.finished
            if deposit.cancelling and occupied is not True:
                # backed out and took the papers back: free the tray, end the draft
                self._waiting.pop(deposit.tray_id, None)
                with self.ledger.transaction():
                    self.ledger.move_tray(deposit.tray_id, T.EMPTY, actor=ACTOR,
                                          reason="door shut after the citizen backed out",
                                          txn=deposit.txn)
                    self._end_draft(deposit, "citizen backed out", release_tray=False)
                return False
            if occupied is False:
                deposit.closed_empty = True
                self._tray_back_to_reserved(deposit)
                self._waiting.pop(deposit.tray_id, None)
                return False
            with self.ledger.transaction():
                tray = self.ledger.tray(deposit.tray_id)
                if tray["state"] != T.OCCUPIED_DEPOSIT.value:
                    self.ledger.move_tray(deposit.tray_id, T.OCCUPIED_DEPOSIT, actor=ACTOR,
                                          reason="door closed with the dossier inside",
                                          txn=deposit.txn, dossier_code=deposit.code,
                                          purpose="deposit")
                self.ledger.move_dossier(deposit.code, D.DEPOSITED, actor=ACTOR,
                                         reason="door closed", tray_id=deposit.tray_id,
                                         data={"payment": deposit.payment_state,
                                               "pages": len(deposit.pages)},
                                         fields={"payment": deposit.payment_state})
            deposit.finished = True
            self._waiting.pop(deposit.tray_id, None)
        for cb in list(self._completed_listeners):
            try:
                cb(deposit)
            except Exception:
                log.exception("completed listener failed")
        return True

    def _tray_back_to_reserved(self, deposit: Deposit) -> None:
        tray = self.ledger.tray(deposit.tray_id)
        if tray["state"] in (T.OPEN.value, T.EMPTY.value):
            with self.ledger.transaction():
                if tray["state"] == T.OPEN.value:
                    self.ledger.move_tray(deposit.tray_id, T.EMPTY, actor=ACTOR,
                                          reason="door closed, nothing inside",
                                          txn=deposit.txn)
                self.ledger.move_tray(deposit.tray_id, T.RESERVED, actor=ACTOR,
                                      reason="deposit", txn=deposit.txn,
                                      dossier_code=deposit.code, purpose="deposit")

    def cancel(self, deposit: Deposit | None, reason: str = "cancelled") -> None:
        """Back out (button or idle): release the tray, cancel the draft, wipe the data.

        With the door still open the draft stays until the door shuts: papers left in
        the tray are then recorded as a deposit (paper is never lost), an empty tray is
        released and the draft cancelled."""
        if deposit is None:
            return
        with self._lock:
            if deposit.otp_challenge:
                self.otp.forget(deposit.otp_challenge)
            if not deposit.finished and deposit.code and not deposit.cancelling:
                tray = self.ledger.tray(deposit.tray_id) if deposit.tray_id else None
                if tray and tray["state"] in (T.OPEN.value, T.UNLOCKING.value):
                    deposit.cancelling = True
                    self._waiting[deposit.tray_id] = deposit
                    self.ledger.event("deposit.cancel_requested", actor=ACTOR,
                                      subject=deposit.code, reason=reason, to_city=False,
                                      data={"tray": deposit.tray_id})
                else:
                    self._waiting.pop(deposit.tray_id or "", None)
                    self._end_draft(deposit, reason, release_tray=bool(
                        tray and tray["state"] == T.RESERVED.value))
            deposit.wipe()

    def _end_draft(self, deposit: Deposit, reason: str, *, release_tray: bool) -> None:
        with self.ledger.transaction():
            if release_tray:
                self.ledger.move_tray(deposit.tray_id, T.EMPTY, actor=ACTOR, reason=reason,
                                      txn=deposit.txn, dossier_code=None, purpose=None)
            d = self.ledger.dossier(deposit.code)
            if d and d["state"] == D.DRAFT.value:
                self.ledger.move_dossier(deposit.code, D.CANCELLED, actor=ACTOR,
                                         reason=reason, tray_id=None)
