"""The city asked for an identity check on this result: the ID number must match."""
from __future__ import annotations

from PyQt5.QtWidgets import QLineEdit

from kiosk.services.citizen import CitizenError
from ui.screens.base import Screen


class PickupIdScreen(Screen):
    name = "pickup-id"
    title_key = "pickup_id.title"
    speak_key = "pickup_id.speak"

    def build(self):
        self.why = self.label("title")
        self.how = self.label()
        self.field = QLineEdit()
        self.error = self.label("error")
        self.error.hide()
        self.keypad_form((self.why, self.how, self.field, self.error),
                         max_len=12)
        self.failures = 0

    def submit(self, text: str):
        pickup = self.win.screens["pickup-tray"]
        result = pickup.current_result()
        self.field.clear()
        try:
            self.win.citizen.check_id_for(result, text)
        except CitizenError as exc:
            self.failures += 1
            self.error.setText(self.tr(f"err.{exc.reason}", hotline=self.win.cfg.kiosk.hotline))
            self.error.show()
            return
        result["_id_checked"] = True
        self.error.hide()
        pickup.next_result()

    def on_code(self, text: str) -> bool:
        if "|" in text or text.strip().isdigit():
            self.submit(text)
            return True
        return False

    def wipe(self):
        self.field.clear()
        self.error.hide()
        self.failures = 0

    def retranslate(self):
        self.why.setText(self.tr("pickup_id.why"))
        self.how.setText(self.tr("identify.scan") + " " + self.tr("identify.type"))
        self.field.setPlaceholderText(self.tr("identify.placeholder"))
