"""Status lookup: scan the receipt QR or type the dossier code; or use the phone + code."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout

from ui.screens.base import Screen
from ui.widgets.keypad import Keypad


class StatusScreen(Screen):
    name = "status"
    title_key = "status.title"
    speak_key = "status.speak"

    def build(self):
        row = QHBoxLayout()
        row.setSpacing(32)
        left = QVBoxLayout()
        self.hint = self.label("title")
        self.field = QLineEdit()
        self.error = self.label("error")
        self.error.hide()
        self.phone_btn = self.button(height_mm=22)
        self.phone_btn.clicked.connect(lambda: self.win.go("status-phone"))
        for w in (self.hint, self.field, self.error):
            left.addWidget(w)
        left.addStretch(1)
        left.addWidget(self.phone_btn)
        row.addLayout(left, 1)
        self.keypad = Keypad(self.field, key_px=self.win.px(22), mode="code",
                             max_len=16)
        self.keypad.submitted.connect(self.lookup)
        row.addWidget(self.keypad)
        self.layout_.addLayout(row, 1)

    def lookup(self, code: str):
        self.error.hide()
        self.win.ops.run(self.win.citizen.status, code,
                         on_success=lambda st: self.win.go("status-result", items=[st]),
                         on_failure=self.failed)

    def failed(self, exc):
        self.error.setText(self.tr(f"err.{getattr(exc, 'reason', 'unexpected')}",
                                   hotline=self.win.cfg.kiosk.hotline))
        self.error.show()

    def on_code(self, text: str) -> bool:
        text = text.strip()
        if self.win.citizen.is_dossier_code(text):
            self.field.setText(text.upper())
            self.lookup(text)
            return True
        return False

    def wipe(self):
        self.field.clear()
        self.error.hide()

    def retranslate(self):
        self.hint.setText(self.tr("status.hint"))
        self.field.setPlaceholderText("HS251127-ABCDE")
        self.phone_btn.setText(self.tr("status.by_phone"))
