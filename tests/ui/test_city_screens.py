"""Citizen screens of the 2025 city: VNeID identification, the catalog's version, the
card's address in 2025 terms and the appointment date after a deposit."""
import pytest

from tests.ui.test_screens import PHONE, Ui


@pytest.fixture
def ui(qtbot, tmp_path):
    u = Ui(qtbot, tmp_path)
    yield u
    u.close()


def has_qr(screen) -> bool:
    pix = screen.qr.pixmap()
    return pix is not None and not pix.isNull()


def to_identify(ui):
    ui.click(ui.screen().choices["deposit"])
    ui.click(ui.wait_screen("deposit-catalog").proc_btns["1.001193"])
    ui.click(ui.wait_screen("deposit-procedure").paper_btn)
    return ui.wait_screen("deposit-identify")


def test_vneid_confirmed_continues_like_a_card(ui):
    ident = to_identify(ui)
    ui.click(ident.vneid_btn)
    screen = ui.wait_screen("deposit-vneid")
    ui.qtbot.waitUntil(lambda: has_qr(screen), timeout=5000)
    ui.world.vneid_link.confirm("Nguyễn Văn An", "079190012345")
    privacy = ui.wait_screen("deposit-privacy")
    assert "Nguyễn Văn An" in privacy.who.text()
    dep = ui.win.session["deposit"]
    assert dep.id_number == "079190012345" and dep.address is None
    ui.click(privacy.accept_btn)
    ui.type_on(ui.wait_screen("deposit-phone").keypad, PHONE)
    ui.wait_screen("deposit-otp")


@pytest.mark.parametrize("fault, reason, new_code", [
    ("refuse", "vneid.refused", True), ("expire", "vneid.expired", True)])
def test_vneid_faults_say_what_to_do(ui, fault, reason, new_code):
    ui.click(to_identify(ui).vneid_btn)
    screen = ui.wait_screen("deposit-vneid")
    ui.qtbot.waitUntil(lambda: has_qr(screen), timeout=5000)
    getattr(ui.world.vneid_link, fault)()
    ui.qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=5000)
    assert screen.error.text() == ui.win.tr(f"err.{reason}")
    assert not has_qr(screen)                     # the used QR is gone
    assert screen.new_btn.isVisible() == new_code
    ui.click(screen.new_btn)                                # a fresh one-time QR
    ui.qtbot.waitUntil(lambda: has_qr(screen), timeout=5000)
    assert len(ui.world.vneid_link.requests) == 2
    ui.click(screen.card_btn)
    ui.wait_screen("deposit-identify")


def test_vneid_city_unreachable(ui):
    def down(**_):
        raise ConnectionError("no route to the city")
    ui.world.vneid_link.start = down
    ui.click(to_identify(ui).vneid_btn)
    screen = ui.wait_screen("deposit-vneid")
    ui.qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=5000)
    assert screen.error.text() == ui.win.tr("err.vneid.unavailable")
    assert not screen.new_btn.isVisible() and screen.card_btn.isVisible()


def test_without_a_vneid_link_the_button_is_not_offered(qtbot, tmp_path):
    from ui.main_window import CitizenWindow
    u = Ui(qtbot, tmp_path)
    try:
        win = CitizenWindow(u.world.citizen, u.world.cfg, u.clock)
        qtbot.addWidget(win)
        win.show()
        win.session = {"flow": "deposit",
                       "deposit": u.world.citizen.start_deposit("1.001193")}
        win.go("deposit-identify")
        assert not win.screens["deposit-identify"].vneid_btn.isVisible()
        win.shutdown()
    finally:
        u.close()


def test_card_address_shown_as_read_with_its_2025_ward(ui):
    to_identify(ui)
    ui.win._on_code("079123456789|123456789|Trần Thị Mai|01011960|Nữ|"
                    "12 Nguyễn Văn Luông, Phường 10, Quận 6, TP.HCM|01012021")
    privacy = ui.wait_screen("deposit-privacy")
    text = privacy.who.text()
    assert "12 Nguyễn Văn Luông, Phường 10, Quận 6, TP.HCM" in text
    assert "Nay thuộc Phường Bình Phú" in text
    ui.win.set_language("en")
    assert "Now Phường Bình Phú" in privacy.who.text()


def test_catalog_screen_says_which_version_it_shows(qtbot, tmp_path):
    from ui.demo_world import DemoWorld
    from ui.main_window import CitizenWindow
    from kiosk.catalog import snapshot
    world = DemoWorld(tmp_path, catalog="snapshot")
    win = CitizenWindow(world.citizen, world.cfg, world.clock)
    qtbot.addWidget(win)
    try:
        win.show()
        win.session = {"flow": "deposit"}
        win.go("deposit-catalog")
        screen = win.screens["deposit-catalog"]
        screen.retranslate()
        assert snapshot()["version"] in screen.version.text()
        assert "có sẵn trong máy" in screen.version.text()
        assert len(screen.shown_codes) >= 40
        # a long name wraps on its button and is still found by its whole name
        long = "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã chứng thực"
        btn = screen.proc_btns["2.000942"]
        assert btn.text().count("\n") >= 2 and btn.accessibleName() == long
    finally:
        win.shutdown()
        world.close()


def test_done_screen_shows_the_date_to_come_back(ui):
    scan = ui.deposit_until_scan("1.001193")
    ui.click(scan.skip_btn)
    tray = ui.wait_screen("deposit-tray")
    ui.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=5000)
    dep = ui.win.session["deposit"]
    ui.world.doors.close_door(dep.tray_id, occupied=True)
    done = ui.wait_screen("deposit-done")
    ui.qtbot.waitUntil(lambda: bool(done.due.text()), timeout=5000)
    due = ui.world.citizen.appointment(dep.code)
    assert done.due.text() == ui.win.tr("appointment", date=f"{due:%d/%m/%Y}")
    assert "Bình Tây" in done.body.text()
