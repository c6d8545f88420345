"""The remote control of the screens: a real QLocalServer, a real unix-socket client in
another thread, real widgets offscreen."""
from __future__ import annotations

import json
import threading

import pytest
from PyQt5.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMainWindow, QPushButton,
                             QStackedWidget, QVBoxLayout, QWidget)

from sim.scenario.remote_client import RemoteClient, RemoteError
from ui import remote
from ui.widgets.keypad import Keypad


class Screen(QWidget):
    def __init__(self, name):
        super().__init__()
        self.name = name


class TinyWindow(QMainWindow):
    """Two screens, like the citizen window: a start button and a phone keypad."""

    def __init__(self):
        super().__init__()
        self.stack = QStackedWidget()
        self.welcome = Screen("welcome")
        col = QVBoxLayout(self.welcome)
        self.start = QPushButton("Nộp hồ sơ\nĐặt giấy tờ vào ngăn")
        self.start.clicked.connect(lambda: self.stack.setCurrentWidget(self.phone))
        self.off = QPushButton("Tắt")
        self.off.setObjectName("off_button")
        self.off.setEnabled(False)
        col.addWidget(QLabel("Xin chào!"))
        col.addWidget(self.start)
        col.addWidget(self.off)
        self.phone = Screen("deposit-phone")
        row = QHBoxLayout(self.phone)
        self.field = QLineEdit()
        self.field.setObjectName("phone_field")
        self.keypad = Keypad(self.field, key_px=40)
        self.submitted = []
        self.keypad.submitted.connect(self.submitted.append)
        row.addWidget(self.field)
        row.addWidget(self.keypad)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.phone)
        self.setCentralWidget(self.stack)

    def current(self):
        return self.stack.currentWidget()


@pytest.fixture
def window(qtbot, tmp_path):
    win = TinyWindow()
    qtbot.addWidget(win)
    win.resize(800, 500)
    win.show()
    qtbot.waitExposed(win)
    ctl = remote.install(win, str(tmp_path / "remote.sock"))
    yield win, ctl
    ctl.close()


def call_in_thread(qtbot, fn):
    """Run a blocking client call off the UI thread while Qt serves it."""
    box = {}

    def work():
        try:
            box["value"] = fn()
        except Exception as exc:   # handed back to the test
            box["error"] = exc

    t = threading.Thread(target=work)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_install_does_nothing_without_the_environment(qtbot, monkeypatch):
    monkeypatch.delenv("KIOSK_REMOTE", raising=False)
    win = QMainWindow()
    qtbot.addWidget(win)
    assert remote.install(win) is None


def test_a_script_walks_the_screens(qtbot, window, tmp_path):
    win, ctl = window
    client = RemoteClient(ctl.path, timeout=5)
    try:
        call_in_thread(qtbot, lambda: client.connect(5))
        assert call_in_thread(qtbot, client.screen) == "welcome"
        widgets = call_in_thread(qtbot, client.widgets)
        texts = [w["text"] for w in widgets]
        assert "Xin chào!" in texts
        off = next(w for w in widgets if w["name"] == "off_button")
        assert off["enabled"] is False and off["class"] == "QPushButton"

        # a line of a two-line button is enough, as a person reads the big word
        call_in_thread(qtbot, lambda: client.click("Nộp hồ sơ"))
        assert call_in_thread(qtbot, client.screen) == "deposit-phone"

        reply = call_in_thread(qtbot, lambda: client.type("0912345678", via="keys"))
        assert reply["via"] == "keys"
        assert win.field.text() == "0912345678"
        call_in_thread(qtbot, lambda: client.click("OK"))
        assert win.submitted == ["0912345678"]

        shot = tmp_path / "shots" / "phone.png"
        reply = call_in_thread(qtbot, lambda: client.screenshot(str(shot)))
        assert reply["screen"] == "deposit-phone"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        client.close()


def test_errors_name_what_is_wrong(qtbot, window):
    win, ctl = window
    client = RemoteClient(ctl.path, timeout=5)
    try:
        call_in_thread(qtbot, lambda: client.connect(5))
        with pytest.raises(RemoteError, match="no visible widget with text 'Nhận kết quả'"):
            call_in_thread(qtbot, lambda: client.click("Nhận kết quả"))
        with pytest.raises(RemoteError, match="disabled"):
            call_in_thread(qtbot, lambda: client.click(name="off_button"))
        with pytest.raises(RemoteError, match="unknown cmd 'fly'"):
            call_in_thread(qtbot, lambda: client.call("fly"))
        with pytest.raises(RemoteError, match="nothing to type into"):
            call_in_thread(qtbot, lambda: client.type("abc"))
        # the connection survives every refusal
        assert call_in_thread(qtbot, client.screen) == "welcome"
    finally:
        client.close()


def test_typing_into_the_focused_field(qtbot, window):
    win, ctl = window
    win.stack.setCurrentWidget(win.phone)
    win.field.setFocus()
    qtbot.waitUntil(win.field.hasFocus)
    reply = ctl.handle({"cmd": "type", "text": "HS260302", "via": "field"})
    assert reply == {"ok": True, "via": "field", "typed": 8}
    assert win.field.text() == "HS260302"


def test_bad_lines_get_an_answer_not_a_crash(window):
    win, ctl = window
    assert ctl.handle_line(b"{not json")["ok"] is False
    assert "JSON object" in ctl.handle_line(b"[1, 2]")["error"]
    reply = ctl.handle_line(json.dumps({"id": 7, "cmd": "ping"}).encode())
    assert reply == {"ok": True, "id": 7}
