"""The simulator's remote-control socket stays shut on a real kiosk: ``kiosk run``
refuses ``KIOSK_REMOTE`` with a profile that is not a simulator's, password fields are
never read out, and screenshots land only in the run folder."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from PyQt5.QtWidgets import QLineEdit, QMainWindow, QVBoxLayout, QWidget

from sim.launcher import simulate_profile
from sim.scenario.remote_client import RemoteClient, RemoteError
from ui import remote

ROOT = Path(__file__).resolve().parents[2]


def test_kiosk_run_refuses_the_remote_socket_on_a_real_profile(tmp_path):
    env = dict(os.environ, KIOSK_REMOTE=str(tmp_path / "remote.sock"),
               QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "run", "--config",
                          str(ROOT / "config" / "binh-tay.toml")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "KIOSK_REMOTE" in out.stderr and "simulated = true" in out.stderr
    assert not (tmp_path / "remote.sock").exists()


def test_simulator_profiles_say_so(tmp_path):
    assert tomllib.loads((ROOT / "config" / "sim.toml").read_text())["kiosk"]["simulated"]
    assert "simulated" not in tomllib.loads(
        (ROOT / "config" / "binh-tay.toml").read_text())["kiosk"]
    text = simulate_profile((ROOT / "config" / "binh-tay.toml").read_text(), tmp_path)
    assert tomllib.loads(text)["kiosk"]["simulated"] is True
    again = simulate_profile(text, tmp_path)          # already a simulator profile
    assert tomllib.loads(again)["kiosk"]["simulated"] is True


class PinWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        body = QWidget()
        col = QVBoxLayout(body)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin_field")
        self.pin.setEchoMode(QLineEdit.Password)
        self.pin.setText("482913")
        self.name = QLineEdit("nv01")
        col.addWidget(self.pin)
        col.addWidget(self.name)
        self.setCentralWidget(body)


def _call(qtbot, fn):
    box = {}

    def work():
        try:
            box["value"] = fn()
        except Exception as exc:   # handed back to the test
            box["error"] = exc
    t = threading.Thread(target=work)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture
def pin_remote(qtbot, tmp_path):
    win = PinWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    run = tmp_path / "run"
    run.mkdir()
    ctl = remote.install(win, str(run / "remote.sock"))
    client = RemoteClient(ctl.path, timeout=5)
    _call(qtbot, lambda: client.connect(5))
    yield win, client, run
    client.close()
    ctl.close()


def test_password_fields_are_never_read_out(qtbot, pin_remote):
    win, client, _ = pin_remote
    widgets = _call(qtbot, client.widgets)
    pin = next(w for w in widgets if w["name"] == "pin_field")
    assert pin["text"] == "" and pin["password"] is True
    assert "482913" not in repr(widgets)
    assert any(w["text"] == "nv01" for w in widgets)   # other fields still readable
    reply = _call(qtbot, lambda: client.click(name="pin_field"))
    assert "482913" not in repr(reply)


def test_screenshots_only_inside_the_run_folder(qtbot, pin_remote, tmp_path):
    win, client, run = pin_remote
    for bad in (str(tmp_path / "elsewhere.png"), "../escape.png", "/etc/kiosk/x.png",
                "screens/not-a-picture.toml"):
        with pytest.raises(RemoteError, match="outside the run folder"):
            _call(qtbot, lambda: client.screenshot(bad))
    (run / "screens").mkdir()
    (run / "screens" / "link.png").symlink_to(tmp_path / "target.png")
    with pytest.raises(RemoteError, match="outside the run folder"):
        _call(qtbot, lambda: client.screenshot("screens/link.png"))
    assert not (tmp_path / "elsewhere.png").exists() and not (tmp_path / "target.png").exists()
    reply = _call(qtbot, lambda: client.screenshot("screens/pin.png"))
    assert (run / "screens" / "pin.png").read_bytes()[:4] == b"\x89PNG"
    assert reply["path"] == "screens/pin.png"
