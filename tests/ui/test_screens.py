"""Screen behaviour on the in-memory world: faults that say what to do, no dead ends,
language switch mid-flow, the open-door reminder."""
import pytest
from PyQt5.QtCore import Qt

from kiosk.clock import ManualClock
from kiosk.models import DossierState as D, TrayState as T
from ui.demo_world import DemoWorld
from ui.main_window import CitizenWindow

PHONE = "0912345678"


class Ui:
    def __init__(self, qtbot, tmp_path):
        self.qtbot = qtbot
        self.clock = ManualClock()
        self.world = DemoWorld(tmp_path, clock=self.clock)
        self.win = CitizenWindow(self.world.citizen, self.world.cfg, self.clock,
                                 vneid=self.world.vneid)
        qtbot.addWidget(self.win)
        self.win.resize(1920, 1080)
        self.win.show()

    def screen(self):
        return self.win.current()

    def wait_screen(self, name):
        self.qtbot.waitUntil(lambda: self.win.current().name == name, timeout=10000)
        return self.win.current()

    def click(self, button):
        self.qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=5000)
        self.qtbot.mouseClick(button, Qt.LeftButton)

    def type_on(self, keypad, text):
        for ch in text:
            self.click(keypad.keys[ch])
        self.click(keypad.keys["OK"])

    def deposit_until_scan(self, code):
        self.click(self.screen().choices["deposit"])
        self.click(self.wait_screen("deposit-catalog").proc_btns[code])
        self.click(self.wait_screen("deposit-procedure").paper_btn)
        self.type_on(self.wait_screen("deposit-identify").keypad, "079190012345")
        self.click(self.wait_screen("deposit-privacy").accept_btn)
        self.type_on(self.wait_screen("deposit-phone").keypad, PHONE)
        self.qtbot.waitUntil(lambda: self.win.current().name == "deposit-otp", timeout=5000)
        self.type_on(self.screen().keypad, self.world.sms.last_code())
        return self.wait_screen("deposit-scan")

    def close(self):
        self.win.shutdown()
        self.win.close()
        self.world.close()


@pytest.fixture
def ui(qtbot, tmp_path):
    u = Ui(qtbot, tmp_path)
    yield u
    u.close()


def test_every_screen_has_back_home_and_hotline(ui):
    for name, screen in ui.win.screens.items():
        assert screen.show_nav == (name != "welcome"), name    # welcome is home itself
    for name in ("deposit-phone", "pickup-id", "status", "problem", "rating"):
        ui.win.go(name)
        assert ui.win.header.back_btn.isVisible() and ui.win.header.home_btn.isVisible()
        assert "1022" in ui.win.header.hotline.text()


def test_back_and_home_never_lose_the_way(ui):
    ui.click(ui.screen().choices["pickup"])
    ui.wait_screen("pickup-phone")
    ui.click(ui.win.header.back_btn)
    ui.wait_screen("welcome")
    ui.click(ui.screen().choices["status"])
    ui.click(ui.wait_screen("status").phone_btn)
    ui.wait_screen("status-phone")
    ui.click(ui.win.header.back_btn)
    ui.wait_screen("status")
    ui.click(ui.win.header.home_btn)
    ui.wait_screen("welcome")


def test_invalid_phone_is_explained_on_the_screen(ui):
    ui.click(ui.screen().choices["pickup"])
    phone = ui.wait_screen("pickup-phone")
    ui.type_on(phone.keypad, "0123")
    assert phone.error.isVisible()
    assert phone.error.text() == ui.win.tr("err.phone.invalid")
    assert ui.world.sms.messages == []


def test_scanner_jam_says_what_to_do_and_skip_still_works(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.world.scanner.jam = True
    ui.click(scan.scan_btn)
    ui.qtbot.waitUntil(lambda: scan.state.text() == ui.win.tr("err.scanner.jam"), timeout=5000)
    ui.world.scanner.jam = False
    ui.click(scan.scan_btn)
    ui.qtbot.waitUntil(lambda: len(ui.win.session["deposit"].pages) == 2, timeout=5000)
    ui.click(scan.next_btn)
    ui.wait_screen("deposit-tray")


def test_no_free_tray_is_told_before_any_payment(ui):
    for t in ui.world.ledger.trays(size="L"):
        ui.world.ledger.move_tray(t["id"], T.OUT_OF_SERVICE, actor="tech:T1", reason="test")
    scan = ui.deposit_until_scan("1.013225")             # a large tray, with a fee
    ui.click(scan.skip_btn)
    problem = ui.wait_screen("problem")
    assert problem.what.text() == ui.win.tr("err.tray.none_free")
    assert problem.todo.text() == ui.win.tr("err.tray.none_free.todo", hotline="1022")
    assert ui.world.payments._state == {}              # no payment was started
    ui.click(problem.home_btn)
    ui.wait_screen("welcome")
    assert ui.world.ledger.dossiers(state=D.DRAFT) == []


def test_empty_tray_closed_can_be_reopened_then_deposit(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.click(scan.skip_btn)
    tray = ui.wait_screen("deposit-tray")
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    tray_id = ui.win.session["deposit"].tray_id
    ui.world.doors.close_door(tray_id, occupied=False)
    ui.qtbot.waitUntil(lambda: tray.reopen_btn.isVisible(), timeout=5000)
    assert tray.instr.text() == ui.win.tr("tray.empty")
    ui.click(tray.reopen_btn)
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    ui.world.doors.close_door(tray_id, occupied=True)
    ui.wait_screen("deposit-done")
    assert ui.world.ledger.tray(tray_id)["state"] == T.OCCUPIED_DEPOSIT.value


def test_door_left_open_reminds_and_idle_waits(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.click(scan.skip_btn)
    tray = ui.wait_screen("deposit-tray")
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    ui.clock.advance(ui.world.cfg.ui.door_open_alert_s + 1)
    ui.qtbot.waitUntil(lambda: tray.reminder.isVisible(), timeout=5000)
    assert tray.reminder.text() == ui.win.tr("tray.reminder")
    assert ui.screen().name == "deposit-tray"       # no idle reset with a door open
    assert not ui.win.idle_overlay.isVisible()


def test_language_switch_mid_flow_keeps_what_was_typed(ui):
    ui.click(ui.screen().choices["deposit"])
    ui.click(ui.wait_screen("deposit-catalog").proc_btns["1.001193"])
    ui.click(ui.wait_screen("deposit-procedure").paper_btn)
    ident = ui.wait_screen("deposit-identify")
    for ch in "0791":
        ui.click(ident.keypad.keys[ch])
    ui.click(ui.win.header.lang_btns["zh"])
    assert ident.scan_hint.text() == ui.win.tr("identify.scan")
    assert ident.field.text() == "0791"
    assert ui.win.header.title.text() == "递交人身份"
    ui.click(ui.win.header.lang_btns["vi"])
    assert ui.win.header.title.text() == "Xác định người nộp"


def test_catalog_search_without_diacritics_on_screen(ui):
    ui.click(ui.screen().choices["deposit"])
    cat = ui.wait_screen("deposit-catalog")
    for key in ["K", "E", "T", "␣", "H", "O", "N"]:          # "ket hon", no marks
        cat.key(key)
    assert cat.shown_codes == ["1.000894"]
    cat.key("⌫")
    cat.search.clear()
    assert len(cat.shown_codes) == 6


def test_idle_reset_wipes_and_returns_to_vietnamese(ui):
    ui.click(ui.win.header.lang_btns["en"])
    ui.click(ui.win.header.large_btn)
    ui.click(ui.screen().choices["pickup"])
    phone = ui.wait_screen("pickup-phone")
    for ch in "0912":
        ui.click(phone.keypad.keys[ch])
    ui.clock.advance(60)
    ui.qtbot.waitUntil(lambda: ui.win.idle_overlay.isVisible(), timeout=5000)
    assert "20" in ui.win.idle_overlay.text.text()
    ui.clock.advance(20)
    ui.wait_screen("welcome")
    assert phone.field.text() == ""
    assert ui.win.tr.lang == "vi" and not ui.win.large_text


def test_backing_out_at_the_open_tray_asks_for_the_papers_back(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.click(scan.skip_btn)
    tray = ui.wait_screen("deposit-tray")
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    dep = ui.win.session["deposit"]
    ui.click(tray.cancel_btn)
    assert tray.instr.text() == ui.win.tr("tray.take_back")
    assert ui.screen().name == "deposit-tray"
    ui.world.doors.close_door(dep.tray_id, occupied=False)
    ui.wait_screen("welcome")
    assert ui.world.ledger.tray(dep.tray_id)["state"] == T.EMPTY.value
    assert ui.world.ledger.dossiers(state=D.CANCELLED)[0]["code"] == dep.code


def test_pickup_door_left_open_reminds(ui):
    ui.world.load_result(PHONE)
    ui.click(ui.screen().choices["pickup"])
    ui.type_on(ui.wait_screen("pickup-phone").keypad, PHONE)
    ui.qtbot.waitUntil(lambda: ui.win.current().name == "pickup-otp", timeout=5000)
    ui.type_on(ui.screen().keypad, ui.world.sms.last_code())
    pickup = ui.wait_screen("pickup-tray")
    ui.qtbot.waitUntil(lambda: pickup.door.state == "open", timeout=5000)
    ui.clock.advance(ui.world.cfg.ui.door_open_alert_s + 1)
    ui.qtbot.waitUntil(lambda: pickup.reminder.isVisible(), timeout=5000)
    result = pickup.current_result()
    ui.world.doors.close_door(result["tray_id"], occupied=False)
    ui.qtbot.waitUntil(lambda: not pickup.reminder.isVisible(), timeout=5000)
    ui.click(pickup.finish_btn)
    ui.wait_screen("rating")
    assert ui.world.ledger.dossier(result["code"])["state"] == D.PICKED_UP.value


def test_status_by_phone_leads_straight_to_the_pickup(ui):
    d = ui.world.load_result(PHONE)
    ui.click(ui.screen().choices["status"])
    ui.click(ui.wait_screen("status").phone_btn)
    ui.type_on(ui.wait_screen("status-phone").keypad, PHONE)
    ui.qtbot.waitUntil(lambda: ui.win.current().name == "status-otp", timeout=5000)
    ui.type_on(ui.screen().keypad, ui.world.sms.last_code())
    result = ui.wait_screen("status-result")
    ui.qtbot.waitUntil(lambda: d["code"] in result.lines.text(), timeout=5000)
    sms_before = len(ui.world.sms.messages)
    ui.click(result.pickup_btn)
    pickup = ui.wait_screen("pickup-tray")                 # no second code needed
    assert len(ui.world.sms.messages) == sms_before
    assert pickup.current_result()["code"] == d["code"]


def test_back_at_the_open_tray_is_backing_out(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.click(scan.skip_btn)
    tray = ui.wait_screen("deposit-tray")
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    ui.click(ui.win.header.back_btn)
    assert ui.screen().name == "deposit-tray"
    assert tray.instr.text() == ui.win.tr("tray.take_back")
    ui.world.doors.close_door(ui.win.session["deposit"].tray_id, occupied=False)
    ui.wait_screen("welcome")


def test_back_after_the_deposit_goes_home_not_to_the_tray(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.click(scan.skip_btn)
    tray = ui.wait_screen("deposit-tray")
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    tray_id = ui.win.session["deposit"].tray_id
    ui.world.doors.close_door(tray_id, occupied=True)
    done = ui.wait_screen("deposit-done")
    ui.qtbot.waitUntil(lambda: done.outcome is not None, timeout=5000)
    ui.click(ui.win.header.back_btn)
    ui.wait_screen("welcome")
    assert ui.world.ledger.tray(tray_id)["state"] == T.OCCUPIED_DEPOSIT.value


def test_home_during_a_pickup_leaves_no_tray_open_in_the_books(ui):
    d = ui.world.load_result(PHONE)
    ui.click(ui.screen().choices["pickup"])
    ui.type_on(ui.wait_screen("pickup-phone").keypad, PHONE)
    ui.qtbot.waitUntil(lambda: ui.win.current().name == "pickup-otp", timeout=5000)
    ui.type_on(ui.screen().keypad, ui.world.sms.last_code())
    pickup = ui.wait_screen("pickup-tray")
    ui.qtbot.waitUntil(lambda: pickup.door.state == "open", timeout=5000)
    ui.click(ui.win.header.back_btn)                      # Back: told what to do, stays
    assert ui.screen().name == "pickup-tray" and pickup.reminder.isVisible()
    ui.world.doors.close_door(d["tray_id"], occupied=False)
    ui.click(ui.win.header.home_btn)                      # leaves without Finish
    ui.wait_screen("welcome")
    assert ui.world.ledger.dossier(d["code"])["state"] == D.PICKED_UP.value
    assert ui.world.ledger.tray(d["tray_id"])["state"] == T.EMPTY.value
