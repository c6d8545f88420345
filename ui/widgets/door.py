"""Live door state of the tray the citizen is using, in words and colour."""
from __future__ import annotations

from PyQt5.QtWidgets import QLabel

ROLE = {"open": "warn", "closed": "ok", "locked": "ok", "tampered": "error",
        "unknown": "error"}


class DoorIndicator(QLabel):
    def __init__(self, tr, parent=None):
        super().__init__(parent)
        self.tr = tr
        self.state = "unknown"
        self.setWordWrap(True)
        self.show_state("unknown")

    def show_state(self, state: str) -> None:
        self.state = getattr(state, "value", state)
        self.setProperty("role", ROLE.get(self.state, "error"))
        self.setText(self.tr(f"door.{self.state}"))
        self.style().unpolish(self)
        self.style().polish(self)

    def retranslate(self) -> None:
        self.show_state(self.state)
