"""Staff and technician screens, reached only through the service console.

``open_staff_signin(main_window, services)`` shows the console at its sign-in screen
over the citizen window (and sends the citizen window home, wiping what a citizen may
have left). ``install_service_gesture(main_window, services)`` makes the hidden ways in:
a 3-second press on the hotline corner of the citizen header, or the service key
(a key switch wired as a keyboard key, ``Ctrl+Alt+F12`` by default).
"""
from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, Qt, QTimer
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QShortcut

SERVICE_KEY = "Ctrl+Alt+F12"
HOLD_MS = 3000


def open_staff_signin(main_window, services):
    """Show the sign-in of the service console; returns the console."""
    from ui.staff.console import ServiceConsole
    console = getattr(main_window, "_service_console", None)
    if console is None:
        console = ServiceConsole(services, parent=main_window)
        main_window._service_console = console
    home = getattr(main_window, "home", None)
    if callable(home):
        home("staff")            # nothing a citizen typed stays behind the console
    console.show_screen("signin")
    if getattr(services.cfg.ui, "fullscreen", False):
        console.showFullScreen()
    else:
        console.setGeometry(main_window.geometry())
        console.show()
    console.raise_()
    console.activateWindow()
    return console


class _LongPress(QObject):
    """Press and hold a widget for ``hold_ms``: a tap or a short press does nothing."""

    def __init__(self, widget, on_hold, hold_ms: int = HOLD_MS):
        super().__init__(widget)
        self.on_hold = on_hold
        self.hold_ms = hold_ms
        self._armed = False
        self._fire = QTimer(self)
        self._fire.setSingleShot(True)
        self._fire.timeout.connect(self._held)
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        t = event.type()
        if t in (QEvent.MouseButtonPress, QEvent.TouchBegin):
            self._armed = True
            self._fire.start(self.hold_ms)
        elif t in (QEvent.MouseButtonRelease, QEvent.TouchEnd, QEvent.TouchCancel,
                   QEvent.Leave):
            self._armed = False
            self._fire.stop()
        return False

    def _held(self):
        if self._armed:
            self._armed = False
            self.on_hold()


def install_service_gesture(main_window, services, *, widget=None, hold_ms: int = HOLD_MS,
                            key: str = SERVICE_KEY):
    """Wire the hidden gesture and the service key to ``open_staff_signin``."""
    target = widget if widget is not None else getattr(
        getattr(main_window, "header", None), "hotline", None)
    opener = lambda: open_staff_signin(main_window, services)  # noqa: E731
    gesture = None
    if target is not None:
        target.setAttribute(Qt.WA_AcceptTouchEvents, True)
        gesture = _LongPress(target, opener, hold_ms)
    shortcut = QShortcut(QKeySequence(key), main_window)
    shortcut.setContext(Qt.ApplicationShortcut)
    shortcut.activated.connect(opener)
    return gesture, shortcut
