"""What every screen has: a title, texts that follow the language, an entry hook, and a
way to wipe what the citizen typed."""
from __future__ import annotations

from PyQt5.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.widgets.buttons import BigButton
from ui.widgets.keypad import Keypad
from ui.widgets.labels import role_label


class Screen(QWidget):
    name = ""
    title_key = ""
    show_nav = True
    speak_key = ""          # sentence read aloud on entry when voice is on

    def __init__(self, win):
        super().__init__()
        self.win = win
        self.tr = win.tr
        self.ctx: dict = {}
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(48, 28, 48, 28)
        self.layout_.setSpacing(20)
        self.build()

    # -- helpers -----------------------------------------------------------------------
    def label(self, role: str | None = None, wrap: bool = True) -> QLabel:
        return role_label(role, wrap)

    def keypad_form(self, widgets, max_len: int) -> None:
        """Texts and ``self.field`` on the left, the on-screen keypad that types into it
        on the right; the keypad's OK calls ``self.submit``."""
        row = QHBoxLayout()
        row.setSpacing(40)
        left = QVBoxLayout()
        for w in widgets:
            left.addWidget(w)
        left.addStretch(1)
        row.addLayout(left, 1)
        self.keypad = Keypad(self.field, key_px=self.win.key_px, max_len=max_len)
        self.keypad.submitted.connect(self.submit)
        row.addWidget(self.keypad)
        self.layout_.addLayout(row, 1)

    def button(self, kind: str = "secondary", height_mm: float = 18) -> BigButton:
        # parented at once so the window's style sheet (fonts) applies before any layout
        # asks the button for its size
        b = BigButton(kind=kind, min_px=self.win.target_px, height_px=self.win.px(height_mm),
                      parent=self)
        b.ensurePolished()
        return b

    def panel(self) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setProperty("role", "panel")
        lay = QVBoxLayout(frame)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(12)
        return frame, lay

    def set_role(self, widget, role: str) -> None:
        widget.setProperty("role", role)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    # -- hooks -------------------------------------------------------------------------
    def build(self) -> None:
        pass

    def retranslate(self) -> None:
        pass

    def enter(self, **ctx) -> None:
        self.ctx = ctx

    def leave(self) -> None:
        pass

    def wipe(self) -> None:
        """Forget anything personal this screen shows or holds."""

    def on_code(self, text: str) -> bool:
        """A code from the reader; True when this screen used it."""
        return False

    def title(self) -> str:
        return self.tr(self.title_key) if self.title_key else ""

    def on_back(self) -> None:
        self.win.back()
