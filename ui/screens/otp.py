"""The 6-digit code from the SMS: 3 tries, then a new code (at most 3 SMS in 15 min)."""
from __future__ import annotations

from PyQt5.QtWidgets import QLineEdit

from kiosk.pii import mask_phone
from kiosk.services.citizen import CitizenError
from ui.screens.base import Screen


class OtpScreen(Screen):
    title_key = "otp.title"
    speak_key = "otp.speak"

    def __init__(self, win, flow: str):
        self.flow = flow
        self.name = f"{flow}-otp"
        super().__init__(win)

    def build(self):
        self.ask = self.label("title")
        self.field = QLineEdit()
        self.field.setMaxLength(6)
        self.error = self.label("error")
        self.error.hide()
        self.resend_btn = self.button(height_mm=20)
        self.resend_btn.clicked.connect(self.resend)
        self.keypad_form((self.ask, self.field, self.error, self.resend_btn),
                         max_len=6)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()

    def submit(self, code: str):
        session, citizen = self.win.session, self.win.citizen
        self.field.clear()
        try:
            if self.flow == "deposit":
                citizen.deposit_code(session["deposit"], code)
            else:
                citizen.check_code(session.get("challenge") or "", code)
        except CitizenError as exc:
            self.show_error(exc)
            return
        session["challenge"] = None
        session["verified_phone"] = session.get("phone")
        self.error.hide()
        if self.flow == "deposit":
            dep = session["deposit"]
            self.win.go("deposit-scan", optional=not dep.online)
        elif self.flow == "pickup":
            self.win.screens["pickup-tray"].start_pickup()
        else:
            self.win.go("status-result", by_phone=True)

    def resend(self):
        phone = self.win.session.get("phone")
        if not phone:
            self.win.back()
            return
        citizen = self.win.citizen
        self.error.hide()
        self.resend_btn.setEnabled(False)

        def done(cid):
            self.resend_btn.setEnabled(True)
            self.win.session["challenge"] = cid
            if self.flow == "deposit":
                self.win.session["deposit"].otp_challenge = cid
            self.error.setText(self.tr("otp.resent"))
            self.set_role(self.error, "ok")
            self.error.show()

        def failed(exc):
            self.resend_btn.setEnabled(True)
            self.show_error(exc)

        self.win.ops.run(citizen.send_code, phone, on_success=done, on_failure=failed)

    def show_error(self, exc):
        reason = getattr(exc, "reason", "unexpected")
        details = getattr(exc, "details", {})
        self.error.setText(self.tr(f"err.{reason}", tries=details.get("tries_left", 0),
                                   minutes=int(details.get("retry_after_s", 0) // 60) + 1,
                                   hotline=self.win.cfg.kiosk.hotline))
        self.set_role(self.error, "error")
        self.error.show()
        self.win.say(self.error.text())

    def wipe(self):
        self.field.clear()
        self.error.hide()
        self.resend_btn.setEnabled(True)

    def retranslate(self):
        phone = self.win.session.get("phone") if self.win.session else None
        self.ask.setText(self.tr("otp.ask", phone=mask_phone(phone) if phone else ""))
        self.resend_btn.setText(self.tr("otp.resend"))
