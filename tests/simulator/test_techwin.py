"""The technician window on a real simulated kiosk: it opens offscreen, and each fault
switch changes what the kiosk reports (its heartbeat to the city carries every device's
status, exactly what the office's diagnostics read)."""
from __future__ import annotations

import pytest

from PyQt5.QtWidgets import QPushButton

from sim.launcher import SimLauncher
from sim.techwin import TechWindow

WAIT_MS = 30000


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    run = tmp_path_factory.mktemp("techwin") / "run"
    launcher = SimLauncher(run, headless=True, city={"heartbeat_s": 0.5})
    launcher.start()
    yield launcher
    launcher.stop()


@pytest.fixture
def win(qtbot, sim):
    w = TechWindow(sim, refresh_ms=200)
    qtbot.addWidget(w)
    w.resize(1280, 820)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.timer.stop()


def devices(sim) -> dict:
    hb = sim.city.db.last_heartbeat(sim.kiosk_id)
    if not hb:
        return {}
    return {d["device"]: (d["status"], d["detail"]) for d in hb.get("devices", [])}


def heartbeats(sim) -> int:
    return sim.city.db.query("SELECT COUNT(*) n FROM heartbeats")[0]["n"]


def fresh_devices(qtbot, sim) -> dict:
    """The device list of a heartbeat sent after this moment."""
    seen = heartbeats(sim)
    qtbot.waitUntil(lambda: heartbeats(sim) >= seen + 2, timeout=WAIT_MS)
    return devices(sim)


def flip(qtbot, sim, checkbox, device: str, expect_status: set[str]) -> tuple:
    """Switch on: the kiosk reports the device differently; switch off: as before."""
    before = fresh_devices(qtbot, sim)[device]
    checkbox.setChecked(True)
    qtbot.waitUntil(lambda: devices(sim).get(device, before)[0] in expect_status
                    and devices(sim)[device] != before, timeout=WAIT_MS)
    during = devices(sim)[device]
    checkbox.setChecked(False)
    qtbot.waitUntil(lambda: devices(sim).get(device) == before, timeout=WAIT_MS)
    return before, during


def test_window_shows_the_cabinet_and_every_switch(win, sim, qtbot):
    assert set(win.tiles) == {p.tray for p in sim.places}
    assert set(win.printer_switches) == {"paper_near_end", "paper_end", "cover_open",
                                         "error", "offline"}
    assert set(win.modem_switches) == {"no_network", "silent", "cms_error"}
    assert len(win.board_switches) == 6 * len(sim.buses["bus-a"].boards)
    qtbot.waitUntil(lambda: win.tiles["A01"].kiosk_state == "EMPTY", timeout=WAIT_MS)
    assert "locked" in win.tiles["A01"].text()


@pytest.mark.parametrize("switch, status", [
    ("paper_near_end", {"online"}),
    ("paper_end", {"hwerror"}),
    ("cover_open", {"hwerror"}),
    ("error", {"offline", "hwerror"}),
    ("offline", {"offline"}),
])
def test_printer_switches(win, sim, qtbot, switch, status):
    before, during = flip(qtbot, sim, win.printer_switches[switch], "printer", status)
    assert during[1] != before[1]      # the detail says what is wrong, in words


def test_modem_without_network(win, sim, qtbot):
    before, during = flip(qtbot, sim, win.modem_switches["no_network"], "modem",
                          {"hwerror", "offline"})
    assert "signal" in during[1]


def test_hung_modem(win, sim, qtbot):
    flip(qtbot, sim, win.modem_switches["silent"], "modem", {"offline", "hwerror"})


@pytest.mark.parametrize("fault", ["silent", "corrupt"])
def test_lock_board_that_stops_answering(win, sim, qtbot, fault):
    flip(qtbot, sim, win.board_switches[("bus-a", 1, fault)], "lockboard:bus-a:1",
         {"offline"})


def test_cut_sensor_wire_reads_as_tampering(win, sim, qtbot):
    """A cut hook-sensor wire looks like doors opened with no unlock: tamper alarms."""
    box = win.board_switches[("bus-a", 0, "broken_sensor")]
    box.setChecked(True)
    qtbot.waitUntil(lambda: sim.kiosk_trays().get("A01", {}).get("state") == "TAMPERED",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: win.tiles["A01"].kiosk_state == "TAMPERED", timeout=WAIT_MS)
    box.setChecked(False)
    qtbot.waitUntil(lambda: sim.city.db.query(
        "SELECT COUNT(*) n FROM events WHERE kind = 'alarm.tamper'")[0]["n"] > 0,
        timeout=WAIT_MS)


def test_network_switch_stops_the_heartbeat(win, sim, qtbot):
    fresh_devices(qtbot, sim)
    win.network_buttons["down"].setChecked(True)
    assert sim.network_mode == "down"
    dropped = sim.city.faults.counts.get("down", 0)
    qtbot.waitUntil(lambda: sim.city.faults.counts.get("down", 0) > dropped,
                    timeout=WAIT_MS)
    win.network_buttons["up"].setChecked(True)
    fresh_devices(qtbot, sim)          # heartbeats arrive again


def test_clock_and_power_buttons(win, sim, qtbot):
    offset = sim.clock_offset()
    win.findChild(QPushButton, "clock_plus_day").click()
    assert sim.clock_offset() == offset + 86400
    starts = sim.kiosk_starts
    win.power_delay.setValue(0)
    win.findChild(QPushButton, "power_cut").click()
    assert sim.power_cuts >= 1 and sim.kiosk_starts == starts + 1
    qtbot.waitUntil(lambda: "kiosk running" in win.power_label.text(), timeout=WAIT_MS)
    # the kiosk came back and reports again
    fresh_devices(qtbot, sim)


def test_flaky_city_link(win, sim, qtbot):
    """Server errors on a share of requests: the city counts them, the kiosk retries."""
    before = sim.city.faults.counts.get("500", 0)
    win.city_fault_rate.setValue(100)
    win.city_fault_switches["500"].setChecked(True)
    assert sim.flaky_kinds == ["500"] and sim.flaky_rate == 1.0
    qtbot.waitUntil(lambda: sim.city.faults.counts.get("500", 0) > before, timeout=WAIT_MS)
    win.city_fault_switches["500"].setChecked(False)
    assert sim.flaky_kinds == []
    fresh_devices(qtbot, sim)          # heartbeats get through again


def test_faults_that_show_when_trays_move(qtbot, tmp_path):
    """A stuck latch shows when a citizen's tray does not open; a slow board's trays
    are taken out of use. Played on a kiosk of its own: both leave trays flagged."""
    from sim.scenario.citizens import make_citizens
    from sim.scenario.flows import KioskDriver
    sim = SimLauncher(tmp_path / "run", headless=True).start()
    try:
        w = TechWindow(sim, refresh_ms=200)
        qtbot.addWidget(w)
        w.show()
        driver = KioskDriver(sim)
        driver.connect(60)
        w.board_switches[("bus-a", 0, "stuck_latch")].setChecked(True)
        out = driver.deposit(make_citizens(1, seed=3)[0], "Đăng ký khai sinh", via_qr=True,
                             fee=False)
        assert not out.ok and out.stage == "tray"
        assert driver.remote.screen() == "problem"
        assert "không mở được" in driver.problem_text()
        qtbot.waitUntil(lambda: sim.city.db.query(
            "SELECT COUNT(*) n FROM events WHERE kind = 'door.not_opened'")[0]["n"] == 1,
            timeout=WAIT_MS)
        w.board_switches[("bus-a", 0, "stuck_latch")].setChecked(False)

        # the modem refusing every SMS matters when the city link is down: no code
        driver.home()
        w.network_buttons["down"].setChecked(True)
        w.modem_switches["cms_error"].setChecked(True)
        driver.click("welcome.pickup", stage="test")
        driver.wait_screen("pickup-phone", "test")
        driver.remote.type("0912345678", via="keys")
        driver.click(text="OK", stage="test")
        qtbot.waitUntil(lambda: driver.text("err.sms.failed") in driver.remote.texts(),
                        timeout=WAIT_MS)
        assert driver.remote.screen() == "pickup-phone"
        assert any(c.startswith("AT+CMGS=") for c in sim.modem.commands)
        assert sim.modem.sent == []
        w.modem_switches["cms_error"].setChecked(False)
        w.network_buttons["up"].setChecked(True)

        w.board_switches[("bus-a", 1, "slow")].setChecked(True)
        qtbot.waitUntil(lambda: w.tiles["A17"].kiosk_state == "FAULT", timeout=WAIT_MS)
        w.board_switches[("bus-a", 1, "slow")].setChecked(False)
        driver.remote.close()
        w.timer.stop()
    finally:
        sim.stop()


def test_a_tray_tile_acts_at_its_door(win, sim, qtbot):
    tile = win.tiles["A05"]
    acts = dict(tile.actions())
    assert set(acts) == {"Pry the door open (tamper)", "Put paper in"}
    acts["Put paper in"]()
    acts["Pry the door open (tamper)"]()
    win.refresh()
    assert tile.paper is True and tile.door == "tampered"
    qtbot.waitUntil(lambda: sim.kiosk_trays().get("A05", {}).get("state") == "TAMPERED",
                    timeout=WAIT_MS)       # the kiosk raised the alarm on its own
    acts = dict(tile.actions())
    assert set(acts) == {"Close the door", "Take the paper out"}
    acts["Take the paper out"]()
    acts["Close the door"]()
    win.refresh()
    assert tile.paper is False and tile.door == "locked"
