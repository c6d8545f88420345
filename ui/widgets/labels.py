"""Plain-text labels styled by role (the theme's style sheet picks them up)."""
from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QLabel


def role_label(role: str | None = None, wrap: bool = True) -> QLabel:
    """A label that never interprets markup (names and codes come from outside)."""
    lab = QLabel()
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.PlainText)
    if role:
        lab.setProperty("role", role)
    return lab
