"""A citizen session holds the update gate; while an update holds it the screens say so."""
from __future__ import annotations

import pytest

from kiosk.updates.gate import GateBusy, UpdateGate
from kiosk.updates.sessions import Sessions


def test_session_holds_the_gate_until_closed(tmp_path):
    gate = UpdateGate(tmp_path / "update.lock")
    sessions = Sessions(UpdateGate(gate.path))
    assert sessions.open("citizen") and sessions.open("citizen")   # once per session
    with pytest.raises(GateBusy):
        gate.hold()
    sessions.close("citizen")
    gate.hold().release()


def test_no_new_session_while_an_update_holds_the_gate(tmp_path):
    gate = UpdateGate(tmp_path / "update.lock")
    sessions = Sessions(UpdateGate(gate.path))
    with gate.hold():
        assert not sessions.accepting and not sessions.open("citizen")
    assert sessions.open("citizen")


def test_citizen_screen_shows_update_in_progress(qtbot, tmp_path):
    from PyQt5.QtWidgets import QLabel
    from ui.demo_world import DemoWorld
    from ui.main_window import CitizenWindow
    world = DemoWorld(tmp_path / "world")
    win = CitizenWindow(world.citizen, world.cfg, world.clock)
    qtbot.addWidget(win)
    gate = UpdateGate(tmp_path / "update.lock")
    win.sessions = Sessions(UpdateGate(gate.path))
    hold = gate.hold()
    win.go("deposit-catalog")
    assert win.current() is win.screens["problem"]
    assert win.current().reason == "update.closed"
    text = " ".join(w.text() for w in win.current().findChildren(QLabel))
    assert "cập nhật" in text                           # Vietnamese first
    hold.release()
    win.home()
    win.go("deposit-catalog")                                   # open again after the update
    assert win.current() is win.screens["deposit-catalog"]
    with pytest.raises(GateBusy):
        gate.hold()                                     # the session now holds the gate
    win.home()
    gate.hold().release()
