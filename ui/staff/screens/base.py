"""The base of every service-console screen: layout, the console's look, and running a
use case off the GUI thread through the console's ``OpRunner``."""
from __future__ import annotations

from PyQt5.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.clock import parse_iso
from ui.widgets.buttons import BigButton
from ui.widgets.labels import role_label


class ConsoleScreen(QWidget):
    name = ""
    title = ""
    role: str | None = "staff"          # who may see it; None: anyone (sign-in)
    keeps_awake = False

    def __init__(self, console):
        super().__init__()
        self.console = console
        self.ctx: dict = {}
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(40, 24, 40, 24)
        self.layout_.setSpacing(18)
        self.build()

    # -- helpers -------------------------------------------------------------------------
    def label(self, role: str | None = None, wrap: bool = True) -> QLabel:
        return role_label(role, wrap)

    def button(self, text: str, kind: str = "secondary", height_mm: float = 16) -> BigButton:
        return BigButton(text, kind=kind, min_px=self.console.target_px,
                         height_px=self.console.px(height_mm))

    def panel(self) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setProperty("role", "panel")
        lay = QVBoxLayout(frame)
        lay.setContentsMargins(24, 18, 24, 18)
        lay.setSpacing(10)
        return frame, lay

    def set_role(self, widget, role: str) -> None:
        widget.setProperty("role", role)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def say(self, widget: QLabel, text: str, role: str | None = None) -> None:
        widget.setText(text)
        widget.setVisible(bool(text))
        if role:
            self.set_role(widget, role)

    def run(self, fn, *args, ok=None, fail=None, **kwargs) -> None:
        self.console.ops.run(fn, *args, on_success=ok, on_failure=fail or self.failed,
                             **kwargs)

    def failed(self, exc) -> None:
        if hasattr(self, "message"):
            self.say(self.message, str(exc), "error")

    def local(self, iso: str | None) -> str:
        if not iso:
            return ""
        return f"{parse_iso(iso).astimezone(self.console.clock.zone):%H:%M %d/%m/%Y}"

    # -- hooks ---------------------------------------------------------------------------
    def build(self) -> None:
        pass

    def title_text(self) -> str:
        return self.title

    def enter(self, **ctx) -> None:
        self.ctx = ctx

    def leave(self) -> None:
        pass

    def wipe(self) -> None:
        pass

    def on_code(self, text: str) -> None:
        pass
