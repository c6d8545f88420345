"""The hotline help screen: a 6-digit code for the 1022 operator, valid two minutes.

While this screen is up, and only then, the operator's signed command can open one tray
that holds this citizen's result (kiosk/commands/help.py). Leaving the screen, by Back,
Home or idle, voids the code. The code is asked for off the UI thread (it is journalled)
and never spoken aloud or logged.
"""
from __future__ import annotations

from PyQt5.QtCore import QObject, Qt, QTimer, pyqtSignal

from ui.screens.base import Screen


class HelpScreen(Screen):
    name = "help"
    title_key = "help.title"

    def build(self):
        self.call = self.label("title")
        self.code = self.label("huge")
        self.code.setAlignment(Qt.AlignCenter)
        self.code.setTextInteractionFlags(Qt.NoTextInteraction)
        self.code.setStyleSheet("font-size: 120px; letter-spacing: 24px;")
        self.valid = self.label()
        self.status = self.label("ok")
        self.status.hide()
        self.new_btn = self.button("primary", height_mm=22)
        self.new_btn.clicked.connect(self.new_code)
        self.new_btn.hide()
        for w in (self.call, self.code, self.valid, self.status):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.new_btn)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self._code = ""
        self._opened_tray = ""

    @property
    def desk(self):
        return self.win.help_desk

    @property
    def keeps_awake(self) -> bool:
        """The citizen is on the phone: no idle reset while the code is valid."""
        return bool(self._code) and self.desk is not None and self.desk.seconds_left() > 0

    def title(self) -> str:
        return self.tr(self.title_key, hotline=self.win.cfg.kiosk.hotline)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.new_code()

    def new_code(self):
        self._code, self._opened_tray = "", ""
        self.new_btn.hide()
        self.status.hide()
        self.code.setText("······")
        self.valid.setText(self.tr("help.wait"))
        if self.desk is not None:
            self.win.ops.run(self.desk.open_screen, on_success=self.show_code,
                             on_failure=lambda exc: self.win.problem("unexpected"))

    def show_code(self, code: str):
        self._code = code
        self.code.setText(code)
        self.timer.start()
        self.tick()

    def tick(self):
        left = self.desk.seconds_left() if self.desk is not None else 0
        if self._code and left <= 0:
            self._code = ""
            self.timer.stop()
            self.code.setText("——————")
            self.valid.setText(self.tr("help.expired"))
            self.new_btn.show()
            return
        if self._code:
            self.valid.setText(self.tr("help.valid", seconds=int(left + 0.999)))

    def help_event(self, what: str, tray: str):
        """The operator's opening went through (from the command thread, via a signal)."""
        if what == "opened":
            self._opened_tray = tray
            self.status.setText(self.tr("help.opened", tray=tray))
            self.status.show()
            self.win.say(self.status.text())

    def leave(self):
        self.timer.stop()
        self._code = ""
        if self.desk is not None:
            self.win.ops.run(self.desk.close_screen)

    def wipe(self):
        self._code, self._opened_tray = "", ""
        self.status.hide()

    def retranslate(self):
        hotline = self.win.cfg.kiosk.hotline
        self.call.setText(self.tr("help.call", hotline=hotline))
        self.new_btn.setText(self.tr("help.new_code"))
        if self._opened_tray:
            self.status.setText(self.tr("help.opened", tray=self._opened_tray))
        self.tick() if self._code else None


class _HelpBridge(QObject):
    """Carries the help desk's news from the command thread to the UI thread."""
    event = pyqtSignal(str, str)


def install_help(win, desk) -> None:
    """Show "Gọi hỗ trợ 1022" in the header of every screen and route the desk's news."""
    win.header.help_btn.show()
    win.header.help.connect(lambda: None if win.current() is win.screens["help"]
                            else win.go("help"))
    bridge = _HelpBridge(win)
    win._help_bridge = bridge
    desk.add_listener(lambda what, tray: bridge.event.emit(what, tray))
    bridge.event.connect(lambda what, tray: win.screens["help"].help_event(what, tray)
                         if win.current() is win.screens["help"] else None)
