"""Who is handing in: scan the QR on the chip ID card, type the ID number, or use the
VNeID app (its own screen)."""
from __future__ import annotations

from PyQt5.QtWidgets import QLineEdit

from kiosk.services.citizen import CitizenError
from ui.screens.base import Screen


class IdentifyScreen(Screen):
    name = "deposit-identify"
    title_key = "identify.title"
    speak_key = "identify.speak"

    def build(self):
        self.scan_hint = self.label("title")
        self.or_type = self.label()
        self.field = QLineEdit()
        self.error = self.label("error")
        self.error.hide()
        self.vneid_btn = self.button("secondary", height_mm=18)
        self.vneid_btn.clicked.connect(lambda: self.win.go("deposit-vneid"))
        self.keypad_form((self.scan_hint, self.or_type, self.field, self.error,
                          self.vneid_btn), max_len=12)

    def submit(self, text: str):
        dep = self.win.session.get("deposit")
        try:
            self.win.citizen.identify(dep, text)
        except CitizenError as exc:
            self.error.setText(self.tr(f"err.{exc.reason}"))
            self.error.show()
            return
        self.field.clear()
        self.error.hide()
        self.win.go("deposit-privacy")

    def on_code(self, text: str) -> bool:
        if "|" in text or text.strip().isdigit():
            self.submit(text)
            return True
        return False

    def wipe(self):
        self.field.clear()
        self.error.hide()

    def retranslate(self):
        self.scan_hint.setText(self.tr("identify.scan"))
        self.or_type.setText(self.tr("identify.type"))
        self.field.setPlaceholderText(self.tr("identify.placeholder"))
        self.vneid_btn.setText(self.tr("identify.vneid"))
        self.vneid_btn.setVisible(getattr(self.win, "vneid", None) is not None)
