"""The fee: a VietQR from the city, or pay at the counter when the city is offline."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.services.citizen.deposit import Deposit
from kiosk.payment_memo import payment_memo
from kiosk.vietqr import VietQr

log = logging.getLogger(__name__)


@dataclass
class PayeeAccount:
    bank_bin: str = "970436"
    account: str = "0011001234567"


class PaymentSteps:
    """Payment steps of ``CitizenService``."""

    def start_payment(self, deposit: Deposit) -> dict:
        """Blocking (city): a VietQR for the fee; offline → pay at the counter later."""
        fee = deposit.procedure.fee
        if fee <= 0:
            deposit.payment_state = "paid"
            return {"state": "free"}
        if deposit.code is None:       # online deposits: the code the dossier will get
            deposit.code = self.ledger.new_dossier_code()
        purpose = payment_memo(deposit.code, deposit.procedure.code)
        if self.payments is None:
            deposit.payment_state = "at_counter"
            return {"state": "at_counter"}
        try:
            created = self.payments.create(reference=deposit.txn, amount=fee, purpose=purpose,
                                           dossier_code=deposit.code)
        except Exception as exc:
            log.info("payment service unavailable (%s); fee to be paid at the counter", exc)
            deposit.payment_state = "at_counter"
            return {"state": "at_counter"}
        payload = created.get("payload") or VietQr(self.payee.bank_bin, self.payee.account,
                                                   fee, purpose).payload()
        deposit.payment = {"id": created.get("id"), "payload": payload, "amount": fee}
        deposit.payment_state = "pending"
        return {"state": "pending", **deposit.payment}

    def payment_state(self, deposit: Deposit) -> str:
        """Blocking (city): 'paid', 'pending', 'failed' or 'at_counter'."""
        if deposit.payment_state != "pending":
            return deposit.payment_state
        try:
            state = self.payments.status(deposit.payment["id"])
        except Exception:
            return "pending"
        if state == "paid":
            deposit.payment_state = "paid"
        elif state in ("failed", "expired"):
            return "failed"
        return deposit.payment_state

    def pay_at_counter(self, deposit: Deposit) -> None:
        deposit.payment_state = "at_counter"
