"""The fee by VietQR: show the QR, wait for the bank's confirmation; offline, the fee is
paid at the counter later (as the city allows) and the deposit goes on."""
from __future__ import annotations

import io

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from ui.screens.base import Screen

POLL_MS = 1500


def after_scan(win) -> None:
    """Paper deposits reserve their tray before any money moves: nobody pays for a
    deposit the machine has no room for. Then the fee, then the tray opens."""
    dep = win.session.get("deposit")
    if dep is None:
        win.home("lost")
        return
    if not dep.online and not dep.tray_id:
        win.ops.run(win.citizen.reserve_tray, dep,
                    on_success=lambda _: after_scan(win),
                    on_failure=lambda exc: win.problem(
                        getattr(exc, "reason", "unexpected"),
                        **getattr(exc, "details", {})))
        return
    if dep.procedure.fee > 0 and dep.payment_state in ("none", "pending"):
        win.go("deposit-payment")
    else:
        after_payment(win)


def after_payment(win) -> None:
    dep = win.session["deposit"]
    if dep.online:
        win.go("deposit-done", submitting=True)
    else:
        win.go("deposit-tray")


def qr_pixmap(text: str, size: int) -> QPixmap:
    import segno
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=10, border=4)
    pix = QPixmap()
    pix.loadFromData(buf.getvalue(), "PNG")
    return pix.scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)


class PaymentScreen(Screen):
    name = "deposit-payment"
    title_key = "payment.title"
    speak_key = "payment.speak"

    def build(self):
        row = QHBoxLayout()
        row.setSpacing(48)
        self.qr = QLabel()
        self.qr.setFixedSize(self.win.px(130), self.win.px(130))
        self.qr.setAlignment(Qt.AlignCenter)
        row.addWidget(self.qr)
        col = QVBoxLayout()
        self.amount = self.label("huge")
        self.how = self.label()
        self.state = self.label("warn")
        for w in (self.amount, self.how, self.state):
            col.addWidget(w)
        col.addStretch(1)
        self.counter_btn = self.button(height_mm=22)
        self.counter_btn.clicked.connect(self.pay_at_counter)
        col.addWidget(self.counter_btn)
        row.addLayout(col, 1)
        self.layout_.addLayout(row, 1)
        self._polling = False

    @property
    def deposit(self):
        return self.win.session.get("deposit")

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()
        self.qr.clear()
        self.state.setText(self.tr("payment.preparing"))
        self.win.ops.run(self.win.citizen.start_payment, self.deposit,
                         on_success=self.started, on_failure=self.started_failed)

    def started(self, pay: dict):
        state = pay.get("state")
        if state == "pending":
            self.qr.setPixmap(qr_pixmap(pay["payload"], self.qr.width()))
            self.state.setText(self.tr("payment.waiting"))
            self._polling = True
            self.win.ops.later(POLL_MS, self.poll)
        elif state == "at_counter":
            self.state.setText(self.tr("payment.offline"))
            self.counter_btn.setText(self.tr("payment.continue_counter"))
        else:
            after_payment(self.win)

    def started_failed(self, exc):
        self.deposit.payment_state = "at_counter"
        self.started({"state": "at_counter"})

    def poll(self):
        if not self._polling or self.win.current() is not self:
            return
        self.win.ops.run(self.win.citizen.payment_state, self.deposit, on_success=self.polled)

    def polled(self, state: str):
        if not self._polling:
            return
        if state == "paid":
            self._polling = False
            self.state.setText(self.tr("payment.paid"))
            after_payment(self.win)
        elif state == "failed":
            self.state.setText(self.tr("payment.failed"))
            self._polling = False
        else:
            self.win.ops.later(POLL_MS, self.poll)

    def pay_at_counter(self):
        self._polling = False
        self.win.citizen.pay_at_counter(self.deposit)
        after_payment(self.win)

    def leave(self):
        self._polling = False

    def wipe(self):
        self._polling = False
        self.qr.clear()

    def retranslate(self):
        dep = self.win.session.get("deposit") if self.win.session else None
        fee = dep.procedure.fee if dep else 0
        self.amount.setText(self.tr("fee.amount", amount=f"{fee:,}".replace(",", ".")))
        self.how.setText(self.tr("payment.how"))
        self.counter_btn.setText(self.tr("payment.counter"))
