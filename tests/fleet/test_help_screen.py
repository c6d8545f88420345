"""The hotline help screen on the real citizen window over the real services: the
citizen presses "Gọi hỗ trợ 1022", reads the code from the screen, the operator's
signed command opens her tray and the screen says so; leaving the screen voids the code."""
import pytest
from PyQt5.QtCore import Qt

from tests.fleet.conftest import wait_for
from tests.fleet.test_hotline import BOARD, LOCK, TRAY, help_open, load_result


@pytest.fixture
def window(qtbot, machine):
    from ui.main_window import build_citizen_window
    services = machine.start()
    win = build_citizen_window(services)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win, services
    win.shutdown()


def press_help(qtbot, win):
    assert win.header.help_btn.isVisible()
    qtbot.mouseClick(win.header.help_btn, Qt.LeftButton)
    screen = win.screens["help"]
    qtbot.waitUntil(lambda: screen.code.text().isdigit(), timeout=5000)
    return screen


def test_code_on_screen_opens_the_tray_and_the_screen_says_so(qtbot, window, machine):
    win, services = window
    load_result(machine, services)
    screen = press_help(qtbot, win)
    assert win.current() is screen and "1022" in win.header.title.text()
    code = screen.code.text()
    assert len(code) == 6 and services.help_desk.screen_up
    assert screen.keeps_awake, "no idle reset while the citizen is on the phone"
    assert help_open(machine, TRAY, code)["status"] == "done"
    assert machine.sims["locks"].unlocks() == [(BOARD, LOCK)]
    qtbot.waitUntil(lambda: screen.status.isVisible(), timeout=5000)
    assert TRAY in screen.status.text()


def test_leaving_the_help_screen_voids_the_code(qtbot, window, machine):
    win, services = window
    load_result(machine, services)
    code = press_help(qtbot, win).code.text()
    qtbot.mouseClick(win.header.home_btn, Qt.LeftButton)
    assert wait_for(lambda: not services.help_desk.screen_up, 5)
    out = help_open(machine, TRAY, code)
    assert (out["status"], out["reason"]) == ("refused", "help_screen_closed")
    assert machine.sims["locks"].unlocks() == []


def test_an_expired_code_offers_a_new_one(qtbot, window, machine):
    win, services = window
    services.help_desk.lifetime_s = 1.0
    screen = press_help(qtbot, win)
    qtbot.waitUntil(lambda: screen.new_btn.isVisible(), timeout=5000)
    assert not screen.code.text().isdigit() and not screen.keeps_awake
    services.help_desk.lifetime_s = 120.0
    qtbot.mouseClick(screen.new_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.code.text().isdigit(), timeout=5000)
    assert services.help_desk.seconds_left() > 100     # a fresh code, full lifetime
    for lang in ("en", "zh", "vi"):
        win.set_language(lang)
        assert "1022" in screen.call.text()


def test_the_citys_notice_appears_on_the_welcome_screen(qtbot, window, machine):
    win, services = window
    welcome = win.screens["welcome"]
    assert not welcome.notice.isVisible()
    notice = {"vi": "Máy bảo trì từ 20:00 đến 21:00.", "en": "Maintenance 20:00–21:00.",
              "zh": "20:00–21:00 维护。"}
    out = machine.outcome(machine.send("config.set", {"key": "notice.text", "value": notice}))
    assert out["status"] == "done"
    qtbot.waitUntil(lambda: welcome.notice.isVisible(), timeout=5000)
    assert welcome.notice.text() == notice["vi"]
    win.set_language("zh")
    assert welcome.notice.text() == notice["zh"]
    machine.outcome(machine.send("config.set", {"key": "notice.text", "value": ""}))
    qtbot.waitUntil(lambda: not welcome.notice.isVisible(), timeout=5000)
