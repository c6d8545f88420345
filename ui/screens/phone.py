"""Phone number on the keypad; the code goes out by SMS from a worker thread."""
from __future__ import annotations

from PyQt5.QtWidgets import QLineEdit

from kiosk.services.citizen import CitizenError
from ui.screens.base import Screen


class PhoneScreen(Screen):
    title_key = "phone.title"
    speak_key = "phone.speak"

    def __init__(self, win, flow: str):
        self.flow = flow
        self.name = f"{flow}-phone"
        super().__init__(win)

    def build(self):
        self.ask = self.label("title")
        self.why = self.label()
        self.field = QLineEdit()
        self.field.setMaxLength(13)
        self.error = self.label("error")
        self.error.hide()
        self.busy = self.label("muted")
        self.keypad_form((self.ask, self.why, self.field, self.error, self.busy),
                         max_len=10)

    def submit(self, text: str):
        citizen = self.win.citizen
        try:
            phone = citizen.phone(text)
        except CitizenError as exc:
            self.show_error(exc)
            return
        self.error.hide()
        self.busy.setText(self.tr("phone.sending"))
        self.keypad.setEnabled(False)
        if self.flow == "deposit":
            dep = self.win.session["deposit"]
            self.win.ops.run(citizen.deposit_phone, dep, phone,
                             on_success=lambda _: self.sent(phone, dep.otp_challenge),
                             on_failure=self.failed)
        else:
            self.win.ops.run(citizen.send_code, phone,
                             on_success=lambda cid: self.sent(phone, cid),
                             on_failure=self.failed)

    def sent(self, phone: str, challenge: str):
        self.keypad.setEnabled(True)
        self.busy.setText("")
        self.win.session["phone"] = phone
        self.win.session["challenge"] = challenge
        self.field.clear()
        self.win.go(f"{self.flow}-otp")

    def failed(self, exc):
        self.keypad.setEnabled(True)
        self.busy.setText("")
        self.show_error(exc)

    def show_error(self, exc):
        reason = getattr(exc, "reason", "unexpected")
        minutes = int(getattr(exc, "details", {}).get("retry_after_s", 0) // 60) + 1
        self.error.setText(self.tr(f"err.{reason}", minutes=minutes,
                                   hotline=self.win.cfg.kiosk.hotline))
        self.error.show()

    def wipe(self):
        self.field.clear()
        self.error.hide()
        self.busy.setText("")
        self.keypad.setEnabled(True)

    def retranslate(self):
        self.ask.setText(self.tr("phone.ask"))
        self.why.setText(self.tr(f"phone.why.{self.flow}"))
        self.field.setPlaceholderText("09xx xxx xxx")
