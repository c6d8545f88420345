"""Cold start: the welcome screen is painted from the profile file alone, says honestly
that the kiosk is starting, and opens its choices once the services are attached,
naming any device that is not ready."""
from __future__ import annotations

from pathlib import Path

from kiosk.config.sections import KioskSection, UiSection
from ui.boot import KIOSK_DEFAULTS, UI_DEFAULTS, first_screen_profile, paint_first
from ui.demo_world import DemoWorld

SIM = Path(__file__).resolve().parents[2] / "config" / "sim.toml"


def test_first_screen_defaults_are_the_profile_defaults():
    for model, defaults in ((KioskSection, KIOSK_DEFAULTS), (UiSection, UI_DEFAULTS)):
        for name, value in defaults.items():
            assert model.model_fields[name].default == value, name


def test_unreadable_profile_paints_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[kiosk\nname = ")
    assert first_screen_profile(bad) is None
    assert first_screen_profile(tmp_path / "missing.toml") is None


def test_welcome_first_then_services(qtbot, tmp_path):
    win = paint_first(SIM, windowed=True)
    qtbot.addWidget(win)
    welcome = win.screens["welcome"]
    assert list(win.screens) == ["welcome"] and not win.ready
    assert not any(b.isEnabled() for b in welcome.choices.values())
    assert welcome.readiness.text() == win.tr("welcome.starting")
    qtbot.waitUntil(lambda: win.first_paint_at is not None, timeout=5000)
    world = DemoWorld(tmp_path)
    try:
        win.attach(world.citizen, world.cfg, world.clock, not_ready=["printer", "scanner"])
        assert win.ready and "deposit-phone" in win.screens and "status-result" in win.screens
        assert all(b.isEnabled() for b in welcome.choices.values())
        text = welcome.readiness.text()
        assert win.tr("device.printer") in text and win.tr("device.scanner") in text
        win.set_language("zh")
        assert "打印机" in welcome.readiness.text()
        qtbot.mouseClick(welcome.choices["deposit"], 1)
        assert win.current().name == "deposit-catalog"
    finally:
        win.shutdown()
        world.close()
