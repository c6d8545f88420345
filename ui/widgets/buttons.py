"""Large touch buttons: never smaller than 15 mm, text that says what happens."""
from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QPushButton, QSizePolicy


class BigButton(QPushButton):
    """A button at least ``min_px`` square and ``height_px`` tall; it grows (never
    clips) when its text needs more room, e.g. two lines at large-text size."""

    def __init__(self, text: str = "", *, kind: str = "secondary", min_px: int = 60,
                 height_px: int | None = None, parent=None):
        super().__init__(text, parent)
        self.setProperty("kind", kind)
        self.setMinimumSize(min_px, max(min_px, height_px or 0))
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setCursor(Qt.PointingHandCursor)

    def set_kind(self, kind: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
