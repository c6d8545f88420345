"""Large touch buttons: never smaller than 15 mm, text that says what happens."""
from __future__ import annotations

from PyQt5.QtCore import QEvent, QSize, Qt
from PyQt5.QtWidgets import QPushButton, QSizePolicy

PAD_W, PAD_H = 48, 28      # room for the style sheet's padding and border


class BigButton(QPushButton):
    """A button at least ``min_px`` square and ``height_px`` tall. Its size hints come
    from its own text in its current font, so it grows (never clips) when the text
    needs more room, e.g. two lines at large-text size or a longer translation."""

    def __init__(self, text: str = "", *, kind: str = "secondary", min_px: int = 60,
                 height_px: int | None = None, parent=None):
        super().__init__(text, parent)
        self.setProperty("kind", kind)
        # kept as a hint, not as setMinimumSize: an explicit minimum would override the
        # text-based hints in the layouts
        self._floor = QSize(min_px, max(min_px, height_px or 0))
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setCursor(Qt.PointingHandCursor)

    def _text_size(self) -> QSize:
        self.ensurePolished()
        fm = self.fontMetrics()
        lines = (self.text() or " ").split("\n")
        return QSize(max(fm.horizontalAdvance(line) for line in lines) + PAD_W,
                     len(lines) * fm.lineSpacing() + PAD_H)

    def sizeHint(self) -> QSize:
        return self._text_size().expandedTo(self._floor).expandedTo(self.minimumSize())

    def minimumSizeHint(self) -> QSize:
        return self._text_size().expandedTo(self._floor).expandedTo(self.minimumSize())

    def changeEvent(self, event) -> None:
        # the style sheet's font arrives after the layout asked for a size: ask again
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self.updateGeometry()
        super().changeEvent(event)

    def set_kind(self, kind: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
