"""Remote control of the real screens, for the simulator's scripted days (sim mode only).

When the environment variable ``KIOSK_REMOTE`` names a socket path, ``install(window)``
opens a ``QLocalServer`` on the UI thread. A script connects and sends one JSON object a
line; each gets one JSON line back. Everything runs on the UI thread between two events,
so a script sees exactly what a person would see and clicks through the same signals.

Requests (``id`` is optional and echoed back):

``{"cmd": "ping"}``                        → ``{"ok": true}``
``{"cmd": "screen"}``                      → ``{"ok": true, "screen": "deposit-phone"}``
``{"cmd": "widgets"}``                     → visible widgets: objectName, class, text,
                                              enabled, checked, focus, x, y, w, h
``{"cmd": "click", "name": "ok_button"}``  → click the visible widget with that objectName
``{"cmd": "click", "text": "Tiếp tục"}``   → … or the one whose text (or one of its
                                              lines) equals the text; ``"contains": true``
                                              takes a substring; ``"index": n`` the n-th
``{"cmd": "type", "text": "0912345678"}``  → types into the focused line edit, or presses
                                              the keys of the visible keypad
                                              (``"via": "keys" | "field"`` to force one)
``{"cmd": "key", "key": "F12", "modifiers": ["Ctrl", "Alt"]}``
                                           → a key press on the focused widget
``{"cmd": "hold", "text": "☎ 1022", "ms": 3000}`` → press and hold (a long press)
``{"cmd": "screenshot", "path": "screens/x.png"}`` → saves the window as PNG, inside
                                              the run folder only
Errors: ``{"ok": false, "error": "..."}``. Without ``KIOSK_REMOTE`` ``install`` does
nothing, and ``kiosk run`` refuses ``KIOSK_REMOTE`` unless the profile says
``[kiosk] simulated = true`` (the socket has no authentication). The text of a password
field (staff PIN, TOTP code) is never sent.
"""
from __future__ import annotations

import json
import logging
import os

from PyQt5.QtCore import QObject, QPoint, Qt, QTimer
from PyQt5.QtNetwork import QLocalServer, QLocalSocket
from PyQt5.QtTest import QTest
from PyQt5.QtWidgets import (QAbstractButton, QApplication, QLabel, QLineEdit, QMenu,
                             QPlainTextEdit, QTextEdit, QWidget)

log = logging.getLogger(__name__)
ENV = "KIOSK_REMOTE"
MAX_LINE = 1 << 20


class RemoteError(Exception):
    """A request the remote control cannot carry out; the message says why."""


def is_secret_field(w: QWidget) -> bool:
    return isinstance(w, QLineEdit) and w.echoMode() != QLineEdit.Normal


def widget_text(w: QWidget) -> str:
    """What a person reads on the widget; a password field's content is never read."""
    if is_secret_field(w):
        return ""
    if isinstance(w, (QAbstractButton, QLabel, QLineEdit)):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QTextEdit):
        return w.toPlainText()
    return ""


def _shown(w: QWidget) -> bool:
    if not w.isVisible():
        return False
    win = w.window()
    return win is not None and win.isVisible()


class RemoteControl(QObject):
    """Serves one or more scripts on a local socket; answers on the UI thread."""

    def __init__(self, window: QWidget, path: str, parent=None, *, root: str | None = None):
        super().__init__(parent or window)
        self.window = window
        self.path = path
        # screenshots go here and nowhere else (the run folder)
        self.root = os.path.realpath(root or os.path.dirname(os.path.abspath(path)))
        self.server = QLocalServer(self)
        QLocalServer.removeServer(path)
        if not self.server.listen(path):
            raise RemoteError(f"cannot listen on {path}: {self.server.errorString()}; "
                              "remove the stale socket or choose another KIOSK_REMOTE path")
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    # -- the socket --------------------------------------------------------------------
    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            self._buffers[sock] = bytearray()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        buf = self._buffers.get(sock)
        if buf is None:
            return
        buf += bytes(sock.readAll())
        while b"\n" in buf:
            line, _, rest = bytes(buf).partition(b"\n")
            buf[:] = rest
            if line.strip():
                reply = self.handle_line(line)
                sock.write(json.dumps(reply, ensure_ascii=False).encode("utf-8") + b"\n")
                sock.flush()
        if len(buf) > MAX_LINE:
            buf.clear()
            sock.write(b'{"ok": false, "error": "line too long"}\n')

    def handle_line(self, line: bytes) -> dict:
        rid = None
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise RemoteError("a request is a JSON object, e.g. {\"cmd\": \"screen\"}")
            rid = req.get("id")
            reply = self.handle(req)
        except json.JSONDecodeError as exc:
            reply = {"ok": False, "error": f"not JSON: {exc}"}
        except RemoteError as exc:
            reply = {"ok": False, "error": str(exc)}
        except Exception as exc:          # a script must never take the kiosk down
            log.exception("remote request failed")
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        if rid is not None:
            reply["id"] = rid
        return reply

    # -- commands ----------------------------------------------------------------------
    def handle(self, req: dict) -> dict:
        cmd = req.get("cmd")
        fn = getattr(self, f"cmd_{cmd}", None) if isinstance(cmd, str) else None
        if fn is None:
            raise RemoteError(f"unknown cmd {cmd!r}; one of ping, screen, widgets, click, "
                              "hold, type, key, screenshot")
        return {"ok": True, **fn(req)}

    def cmd_ping(self, req):
        return {}

    def front_window(self) -> QWidget:
        """The window a person sees on top: a modal dialog, else a visible window of its
        own over the main one (the service console), else the main window."""
        modal = QApplication.activeModalWidget()
        if modal is not None and modal.isVisible():
            return modal
        others = [w for w in QApplication.topLevelWidgets()
                  if w.isVisible() and w.isWindow() and w is not self.window
                  and not isinstance(w, QMenu) and w.windowType() != Qt.ToolTip]
        active = QApplication.activeWindow()
        if active is not None and active in others:
            return active
        return others[-1] if others else self.window

    def screen_name(self) -> str:
        win = self.front_window()
        current = getattr(win, "current", None)
        if callable(current):
            screen = current()
            if screen is not None:
                return getattr(screen, "name", "") or screen.objectName() \
                    or type(screen).__name__
        return win.objectName() or type(win).__name__

    def cmd_screen(self, req):
        return {"screen": self.screen_name()}

    def visible_widgets(self) -> list[QWidget]:
        """Every widget a person can see, those of the front window first."""
        front = self.front_window()
        tops = [front] + [w for w in QApplication.topLevelWidgets()
                          if w is not front and w.isVisible() and w.isWindow()]
        out, seen = [], set()
        for top in tops:
            for w in [top] + top.findChildren(QWidget):
                if id(w) in seen or not _shown(w):
                    continue
                if w is not top and w.isWindow() and w not in tops:
                    continue
                if w is not top and w.window() is not top:
                    continue            # belongs to another window, listed with it
                seen.add(id(w))
                out.append(w)
        return out

    def cmd_widgets(self, req):
        items = []
        focus = QApplication.focusWidget()
        for w in self.visible_widgets():
            text = widget_text(w)
            name = w.objectName()
            if not text and not name and not isinstance(w, (QAbstractButton, QLineEdit)):
                continue
            pos = w.mapTo(w.window(), QPoint(0, 0))
            item = {"name": name, "class": type(w).__name__, "text": text,
                    "enabled": w.isEnabled(), "focus": w is focus,
                    "x": pos.x(), "y": pos.y(), "w": w.width(), "h": w.height()}
            if isinstance(w, QAbstractButton) and w.isCheckable():
                item["checked"] = w.isChecked()
            if is_secret_field(w):
                item["password"] = True
            items.append(item)
        return {"screen": self.screen_name(), "widgets": items}

    def find(self, req) -> QWidget:
        name, text = req.get("name"), req.get("text")
        if not name and text is None:
            raise RemoteError("click needs 'name' (objectName) or 'text'")
        contains = bool(req.get("contains"))
        matches = []
        for w in self.visible_widgets():
            if name:
                if w.objectName() == name:
                    matches.append(w)
                continue
            t = widget_text(w)
            if not t or not isinstance(w, (QAbstractButton, QLabel)):
                continue
            lines = [ln.strip() for ln in t.split("\n")]
            # a long name wrapped over lines is the button's accessible name
            if t == text or text in lines or w.accessibleName() == text or (
                    contains and text.casefold() in t.casefold()):
                matches.append(w)
        # buttons before labels: a label that repeats a button's text is not a target
        matches.sort(key=lambda w: 0 if isinstance(w, QAbstractButton) else 1)
        index = int(req.get("index", 0))
        if not matches or index >= len(matches):
            what = f"objectName {name!r}" if name else f"text {text!r}"
            raise RemoteError(f"no visible widget with {what} on screen "
                              f"{self.screen_name()!r}")
        return matches[index]

    def cmd_click(self, req):
        w = self.find(req)
        if not w.isEnabled():
            raise RemoteError(f"{type(w).__name__} {widget_text(w)[:40]!r} is disabled")
        QTest.mouseClick(w, Qt.LeftButton, Qt.NoModifier, w.rect().center())
        return {"clicked": w.objectName() or widget_text(w)[:60], "screen": self.screen_name()}

    def _keypad_buttons(self) -> dict[str, QAbstractButton]:
        """Single-character buttons in the front window: the on-screen keypad's keys."""
        keys: dict[str, QAbstractButton] = {}
        front = self.front_window()
        for w in self.visible_widgets():
            if isinstance(w, QAbstractButton) and w.isEnabled() and w.window() is front:
                t = w.text()
                if len(t) == 1 and t not in keys:
                    keys[t] = w
        return keys

    def cmd_type(self, req):
        text = str(req.get("text", ""))
        via = req.get("via", "auto")
        focus = QApplication.focusWidget()
        field_ok = isinstance(focus, (QLineEdit, QPlainTextEdit, QTextEdit))
        keys = self._keypad_buttons() if via != "field" else {}
        use_keys = via == "keys" or (via == "auto" and text and
                                     all(ch in keys for ch in text))
        if use_keys:
            missing = sorted({ch for ch in text if ch not in keys})
            if missing:
                raise RemoteError(f"the keypad on {self.screen_name()!r} has no key "
                                  f"{''.join(missing)!r}")
            for ch in text:
                k = keys[ch]
                QTest.mouseClick(k, Qt.LeftButton, Qt.NoModifier, k.rect().center())
            return {"via": "keys", "typed": len(text)}
        if not field_ok:
            raise RemoteError(f"nothing to type into on {self.screen_name()!r}: no text "
                              "field has the focus and no keypad has those keys")
        QTest.keyClicks(focus, text)
        return {"via": "field", "typed": len(text)}

    def cmd_key(self, req):
        """A key press, e.g. ``{"key": "F12", "modifiers": ["Ctrl", "Alt"]}``."""
        name = str(req.get("key", ""))
        code = getattr(Qt, f"Key_{name}", None)
        if code is None:
            raise RemoteError(f"unknown key {name!r}; use Qt key names such as Return, "
                              "Backspace, Escape, F12")
        mods = Qt.NoModifier
        for m in req.get("modifiers", []):
            flag = {"ctrl": Qt.ControlModifier, "alt": Qt.AltModifier,
                    "shift": Qt.ShiftModifier, "meta": Qt.MetaModifier}.get(str(m).lower())
            if flag is None:
                raise RemoteError(f"unknown modifier {m!r}; use Ctrl, Alt, Shift or Meta")
            mods |= flag
        target = QApplication.focusWidget() or self.front_window()
        QTest.keyClick(target, code, mods)
        return {"screen": self.screen_name()}

    def cmd_hold(self, req):
        """Press a widget and let go after ``ms`` (a long press); answers at once."""
        w = self.find(req)
        ms = int(req.get("ms", 3000))
        QTest.mousePress(w, Qt.LeftButton, Qt.NoModifier, w.rect().center())
        QTimer.singleShot(ms, lambda: w.isVisible() and QTest.mouseRelease(
            w, Qt.LeftButton, Qt.NoModifier, w.rect().center()))
        return {"held": w.objectName() or widget_text(w)[:60], "ms": ms}

    def cmd_screenshot(self, req):
        path = req.get("path")
        if not path or not isinstance(path, str):
            raise RemoteError("screenshot needs 'path' (a .png file)")
        full = os.path.realpath(os.path.join(self.root, path))
        if os.path.commonpath([full, self.root]) != self.root or not full.endswith(".png"):
            raise RemoteError(f"screenshot path {path!r} is outside the run folder "
                              f"{self.root} or not a .png file; give a name such as "
                              "'screens/home.png'")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        target = self.front_window()
        if not target.grab().save(full, "PNG"):
            raise RemoteError(f"could not write {path}")
        return {"path": path, "screen": self.screen_name()}

    def close(self) -> None:
        for sock in list(self._buffers):
            sock.abort()
        self._buffers.clear()
        if self.server.isListening():
            self.server.close()
        QLocalServer.removeServer(self.path)


def install(window: QWidget, path: str | None = None, *,
            root: str | None = None) -> RemoteControl | None:
    """Start the remote control when ``KIOSK_REMOTE`` (or ``path``) names a socket;
    screenshots only under ``root`` (default: the socket's folder)."""
    path = path or os.environ.get(ENV)
    if not path:
        return None
    remote = RemoteControl(window, path, root=root)
    window._remote_control = remote          # keep it alive as long as the window
    log.info("remote control listening on %s (simulator mode)", path)
    return remote
