"""The idle warning: still there? One tap gives more time (WCAG 2.2.1)."""
from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QFrame, QLabel, QVBoxLayout

from ui.widgets.buttons import BigButton


class IdleOverlay(QFrame):
    name = "idle-warning"

    def __init__(self, win, parent):
        super().__init__(parent)
        self.win = win
        self.setProperty("role", "panel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(60, 50, 60, 50)
        lay.setSpacing(30)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setProperty("role", "title")
        self.text.setAlignment(Qt.AlignCenter)
        self.more_btn = BigButton(kind="primary", min_px=win.target_px,
                                  height_px=win.px(30))
        self.more_btn.clicked.connect(self.more_time)
        lay.addWidget(self.text)
        lay.addWidget(self.more_btn)
        self.seconds = 0
        self.hide()

    def show_countdown(self, seconds: int) -> None:
        first = not self.isVisible()
        self.seconds = seconds
        self.text.setText(self.win.tr("idle.warning", seconds=seconds))
        parent = self.parentWidget()
        w, h = min(1300, parent.width() - 80), min(560, parent.height() - 80)
        self.setGeometry((parent.width() - w) // 2, (parent.height() - h) // 2, w, h)
        self.raise_()
        self.show()
        if first:
            self.win.say(self.text.text())

    def more_time(self) -> None:
        self.win.touched()
        self.hide()

    def retranslate(self) -> None:
        self.more_btn.setText(self.win.tr("idle.more"))
        if self.isVisible():
            self.text.setText(self.win.tr("idle.warning", seconds=self.seconds))
