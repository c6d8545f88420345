"""The service console: a window of its own over the citizen screens, for staff rounds
and the technician's diagnostics.

It always starts at the sign-in screen, and every other screen is guarded by the
signed-in person's role: ``show`` of a staff or technician screen without the right
session lands on sign-in. The citizen window has no reference to any of these screens;
the only way in is ``open_staff_signin`` (a hidden gesture or a service key). Signing
out, or two minutes without a touch, wipes every field and closes the console.

Work that touches devices or the database runs through ``OpRunner`` (off the UI
thread); door and code-reader events arrive as Qt signals.
"""
from __future__ import annotations

import logging

from PyQt5.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (QApplication, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget,
                             QVBoxLayout, QWidget)

from ui import theme
from ui.ops import OpRunner
from ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)
IDLE_SIGN_OUT_S = 120


class _Touches(QObject):
    def __init__(self, console: "ServiceConsole"):
        super().__init__(console)
        self.console = console

    def eventFilter(self, obj, event):
        if event.type() in (QEvent.MouseButtonPress, QEvent.TouchBegin, QEvent.KeyPress):
            if isinstance(obj, QWidget) and obj.window() is self.console:
                self.console.touched()
        return False


class ServiceConsole(QWidget):
    """``services`` offers ``cfg``, ``clock``, ``staff_auth``, ``rounds``,
    ``diagnostics`` and optionally ``code_reader``."""

    code_read = pyqtSignal(str)
    round_event = pyqtSignal(str, object)
    closed = pyqtSignal(str)

    def __init__(self, services, parent=None):
        super().__init__(parent, Qt.Window)
        self.services = services
        self.cfg, self.clock = services.cfg, services.clock
        self.auth = services.staff_auth
        self.rounds = getattr(services, "rounds", None)
        self.diagnostics = getattr(services, "diagnostics", None)
        self.session = None
        self.run = None                  # the staff member's RoundRun
        self.ops = OpRunner(self)
        self.dpi = self.cfg.ui.screen_dpi
        self.target_px = theme.mm_to_px(theme.MIN_TARGET_MM, self.dpi)
        self.key_px = max(self.target_px, theme.mm_to_px(20, self.dpi))
        self._last_touch = self.clock.monotonic()
        self.setObjectName("service-console")
        self.setWindowTitle("Service")

        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        bar = QWidget()
        bar.setObjectName("header")
        bar.setAutoFillBackground(True)
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(12)
        self.home_btn = BigButton("⌂ Tổng quan", min_px=self.target_px,
                                  height_px=self.target_px)
        self.home_btn.clicked.connect(self.home)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        # a long title is cut, it never widens the window
        self.title.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.who = QLabel()
        self.out_btn = BigButton("Đăng xuất", kind="danger", min_px=self.target_px,
                                 height_px=self.target_px)
        self.out_btn.clicked.connect(lambda: self.sign_out("signed out"))
        for w in (self.home_btn, self.out_btn):
            w.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        row.addWidget(self.home_btn)
        row.addWidget(self.title, 1)
        row.addWidget(self.who)
        row.addWidget(self.out_btn)
        self.stack = QStackedWidget()
        col.addWidget(bar)
        col.addWidget(self.stack, 1)

        self.screens: dict = {}
        for cls in screen_classes():
            screen = cls(self)
            self.screens[screen.name] = screen
            self.stack.addWidget(screen)

        self.code_read.connect(self._on_code)
        self.round_event.connect(self._on_round_event)
        reader = getattr(services, "code_reader", None)
        if reader is not None:
            reader.subscribe(lambda text: self.code_read.emit(text))
        if self.rounds is not None:
            self.rounds.add_listener(lambda kind, step: self.round_event.emit(kind, step))
        self._touches = _Touches(self)
        QApplication.instance().installEventFilter(self._touches)
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(1000)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        self.setStyleSheet(theme.stylesheet("default", False) + _EXTRA_STYLE)
        for w in (self.home_btn, self.out_btn):      # sized once the style sheet applies
            w.ensurePolished()
            w.setFixedWidth(max(w.minimumWidth(), w.sizeHint().width() + 24))
        self.show_screen("signin")

    # ---- sizes -------------------------------------------------------------------------
    def px(self, mm: float) -> int:
        return theme.mm_to_px(mm, self.dpi)

    # ---- navigation with the role guard ------------------------------------------------
    def current(self):
        return self.stack.currentWidget()

    def allowed(self, name: str) -> bool:
        screen = self.screens[name]
        if screen.role is None:
            return True
        return self.session is not None and self.session.role == screen.role

    def show_screen(self, name: str, **ctx) -> None:
        if name not in self.screens:
            raise KeyError(f"no service screen {name!r}")
        if not self.allowed(name):
            log.warning("service screen %s refused without a %s session", name,
                        self.screens[name].role)
            name, ctx = "signin", {}
        old = self.current()
        screen = self.screens[name]
        if old is not None and old is not screen:
            old.leave()
        self.stack.setCurrentWidget(screen)
        self.title.setText(screen.title_text())
        signed = self.session is not None
        self.home_btn.setVisible(signed)
        self.out_btn.setVisible(signed)
        self.who.setText(f"{self.session.name} · {self.session.staff_id}" if signed else "")
        screen.enter(**ctx)

    def home(self) -> None:
        if self.session is None:
            self.show_screen("signin")
        elif self.session.is_technician:
            self.show_screen("diagnostics")
        else:
            self.show_screen("overview")

    # ---- session -----------------------------------------------------------------------
    def signed_in(self, session) -> None:
        self.session = session
        self.run = None
        self._last_touch = self.clock.monotonic()
        self.home()

    def sign_out(self, reason: str = "signed out") -> None:
        session, self.session = self.session, None
        self.ops.cancel_all()
        if session is not None:
            run = self.run
            self.ops.run(self._record_sign_out, session, run, reason)
        self.run = None
        for screen in self.screens.values():
            screen.wipe()
        self.show_screen("signin")
        self.hide()
        self.closed.emit(reason)

    def _record_sign_out(self, session, run, reason):
        if run is not None and not run.finished and self.rounds is not None and (
                run.collected or run.loaded or run.returned or run.incidents):
            self.rounds.finish(run)       # a round left without its report still gets one
        self.auth.sign_out(session, reason)

    # ---- idle --------------------------------------------------------------------------
    def touched(self) -> None:
        self._last_touch = self.clock.monotonic()

    def check_idle(self) -> None:
        if not self.isVisible():
            self._last_touch = self.clock.monotonic()
            return
        if getattr(self.current(), "keeps_awake", False):
            self._last_touch = self.clock.monotonic()
            return
        if self.clock.monotonic() - self._last_touch >= IDLE_SIGN_OUT_S:
            self.sign_out("idle")

    # ---- device events -----------------------------------------------------------------
    def _on_code(self, text: str) -> None:
        if not self.isVisible():
            return
        self.touched()
        screen = self.current()
        if screen is not None:
            screen.on_code(text.strip())

    def _on_round_event(self, kind: str, step) -> None:
        screen = self.current()
        if hasattr(screen, "round_event"):
            screen.round_event(kind, step)

    def shutdown(self) -> None:
        self.idle_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._touches)
        self.ops.close()

    def closeEvent(self, event):
        if self.session is not None:
            self.sign_out("window closed")
        super().closeEvent(event)


_EXTRA_STYLE = """
QLabel[role="big"] { font-size: 40px; font-weight: bold; }
QLabel[role="count"] { font-size: 72px; font-weight: bold; }
QPushButton[kind="tray"] { font-size: 22px; padding: 2px; border-radius: 8px; }
QPushButton[state="EMPTY"] { background: #FFFFFF; color: #14181F; }
QPushButton[state="OCCUPIED_DEPOSIT"] { background: #0B5CAD; color: #FFFFFF; }
QPushButton[state="OCCUPIED_RESULT"] { background: #1E6B30; color: #FFFFFF; }
QPushButton[state="EXPIRED"] { background: #FFE8A3; color: #3A2A00; }
QPushButton[state="OUT_OF_SERVICE"] { background: #5A6472; color: #FFFFFF; }
QPushButton[state="TAMPERED"] { background: #B3261E; color: #FFFFFF; }
QPushButton[state="UNKNOWN"] { background: #B3261E; color: #FFFFFF; }
QPushButton[state="FAULT"] { background: #7A1A14; color: #FFFFFF; }
QPushButton[state="OPEN"] { background: #E37400; color: #FFFFFF; }
QPushButton[state="UNLOCKING"] { background: #E37400; color: #FFFFFF; }
QPushButton[state="RESERVED"] { background: #DCE6F5; color: #0B3D91; }
QPushButton[kind="tray"]:checked { border: 6px solid #E37400; }
QDateEdit { font-size: 36px; padding: 6px 12px; }
QDateEdit::drop-down { width: 64px; }
QPushButton:disabled, QPushButton[kind="primary"]:disabled,
QPushButton[kind="danger"]:disabled { background: #E4E7EB; color: #3D4651;
                                      border: 3px dashed #5A6472; }
"""


def screen_classes():
    from ui.staff import screens as staff_screens
    from ui.technician import screens as tech_screens
    return staff_screens.SCREENS + tech_screens.SCREENS
