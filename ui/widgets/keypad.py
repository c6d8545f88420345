"""The on-screen keypad: digits (phone, ID, code) or digits and letters (dossier code)."""
from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QGridLayout, QLineEdit, QSizePolicy, QWidget

from ui.widgets.buttons import BigButton

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class Keypad(QWidget):
    """Types into ``target``; ``submitted`` fires on the OK key."""

    submitted = pyqtSignal(str)

    def __init__(self, target: QLineEdit, *, key_px: int, mode: str = "digits",
                 max_len: int = 12, parent=None):
        super().__init__(parent)
        self.target, self.max_len = target, max_len
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        grid = QGridLayout(self)
        grid.setSpacing(max(8, key_px // 8))
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, BigButton] = {}
        digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
        cols = 3
        for i, d in enumerate(digits):
            kind = "primary" if d == "OK" else "key"
            b = BigButton(d, kind=kind, min_px=key_px, height_px=key_px)
            b.setFixedSize(int(key_px * 1.4), key_px)
            b.clicked.connect(lambda _=False, d=d: self.press(d))
            grid.addWidget(b, i // cols, i % cols)
            self.keys[d] = b
        if mode == "code":
            letters = list(LETTERS) + ["-"]
            for i, ch in enumerate(letters):
                b = BigButton(ch, kind="key", min_px=key_px, height_px=key_px)
                b.setFixedSize(key_px, key_px)
                b.clicked.connect(lambda _=False, ch=ch: self.press(ch))
                grid.addWidget(b, i // 5, cols + i % 5)
                self.keys[ch] = b

    def press(self, key: str) -> None:
        text = self.target.text()
        if key == "⌫":
            self.target.setText(text[:-1])
        elif key == "OK":
            self.submitted.emit(self.target.text())
        elif len(text) < self.max_len:
            self.target.setText(text + key)
