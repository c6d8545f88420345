"""The service console driven through its widgets (pytest-qt), on the lock-board, code
reader, printer and city simulators: a whole round at 13:30, the technician's screens,
and the guard that keeps citizens out."""
import json
import types
from datetime import datetime

import pyotp
import pytest
from PyQt5.QtCore import Qt

from kiosk.auth.staff import totp_step
from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.diagnostics import Diagnostics
from kiosk.services.rounds import RoundService

from .conftest import board_lock, city_sms, deposit, journal, outbox

PIN = "482913"


@pytest.fixture
def clock():
    """Three days before the round, so that an expired result can be made first."""
    from kiosk.clock import ManualClock
    return ManualClock(datetime(2026, 11, 24, 13, 25), zone="Asia/Ho_Chi_Minh")


@pytest.fixture
def reader(tmp_path):
    from hardware.codereader import SerialCodeReader
    from sim.codereader import CodeReaderSim
    with CodeReaderSim(tmp_path / "dev" / "codereader") as sim:
        r = SerialCodeReader(sim.path, reconnect_s=0.1)
        assert r.wait_connected(5)
        yield sim, r
        r.close()


@pytest.fixture
def printer(tmp_path):
    from hardware.printer import open_printer
    from sim.printer import PrinterSim
    with PrinterSim(tmp_path / "dev" / "printer", tmp_path / "receipts") as sim:
        p = open_printer("serial", port=sim.path, baud=38400)
        yield sim, p
        p.close()


@pytest.fixture
def console(qtbot, profile, clock, auth, rounds, ledger, doors, bank, reader, printer, tmp_path):
    from ui.staff.console import ServiceConsole
    rounds.printer = printer[1]
    diag = Diagnostics(ledger=ledger, clock=clock, data_dir=tmp_path / "data",
                       devices={"lock boards": bank, "printer": printer[1],
                                "code reader": reader[1]},
                       doors=doors, printer=printer[1], code_reader=reader[1])
    services = types.SimpleNamespace(cfg=profile, clock=clock, staff_auth=auth, rounds=rounds,
                                     diagnostics=diag, code_reader=reader[1])
    c = ServiceConsole(services)
    qtbot.addWidget(c)
    c.resize(1920, 1080)
    c.show()
    yield c
    c.shutdown()


def sign_in(qtbot, console, auth, clock, staff_id="nv01", pin=PIN):
    secret = auth.secrets.get(staff_id)
    screen = console.screens["signin"]
    assert console.current() is screen
    screen.fields["id"].setText(staff_id.upper())
    screen.fields["pin"].setText(pin)
    screen.fields["code"].setText(pyotp.TOTP(secret).generate_otp(totp_step(clock.now())))
    qtbot.mouseClick(screen.go_btn, Qt.LeftButton)


def close_door(sim_bus, profile, doors, tray, *, item=None):
    board, lock = board_lock(profile, tray)
    if item is True:
        sim_bus.put_item(board, lock)
    elif item is False:
        sim_bus.remove_item(board, lock)
    sim_bus.close_door(board, lock)
    doors.poll_once()


def test_full_round_at_1330(qtbot, console, auth, clock, ledger, doors, rounds, sim_bus,
                            profile, reader, printer, city, results_inbox, sms_router):
    code_sim = reader[0]
    rounds.results, rounds.sms = results_inbox, sms_router
    # -- what waits: an expired result loaded three days ago ----------------------------
    clock.set(datetime(2026, 11, 24, 13, 26, tzinfo=clock.zone))
    old_run = rounds.begin("staff:nv02")
    old = rounds.start_load(old_run, "HS261118-EX7PD", phone="0987654321", size="S")
    close_door(sim_bus, profile, doors, old.tray, item=True)
    clock.set(datetime(2026, 11, 27, 13, 27, tzinfo=clock.zone))
    assert rounds.run_expiry()["expired"] == ["HS261118-EX7PD"]
    # ... three deposits made this morning, and one result in the city's list
    deposits = {}
    for tray in ("A02", "A10", "A18"):
        deposits[tray] = deposit(ledger, tray)
        sim_bus.put_item(*board_lock(profile, tray))
    city.db.add_result(dossier_code="HS261120-AB3CD", kiosk_id="TEST-STAFF",
                       procedure_code="2.000635", phone="0912345678")
    assert results_inbox.pull() == 1
    doors.poll_once()
    auth.add("nv01", "Lê Văn Nam", PIN)
    clock.set(datetime(2026, 11, 27, 13, 30, tzinfo=clock.zone))
    mark = ledger.journal_head()["seq"]

    # -- sign in: the overview lists what waits ----------------------------------------
    sign_in(qtbot, console, auth, clock)
    overview = console.screens["overview"]
    qtbot.waitUntil(lambda: console.current() is overview and
                    overview.counts["collect"].text() == "3", timeout=5000)
    assert overview.heading.text() == "Đợt 13:30 — Lê Văn Nam"
    assert overview.counts["load"].text() == "1"
    assert overview.counts["retrieve"].text() == "1"
    # today's and this month's figures, trays waiting, results running out tomorrow
    lines = overview.figures.text().splitlines()
    assert lines[0].startswith("Hôm nay: nhận 3 ·") and "quá hạn 1" in lines[0]
    assert lines[1].startswith("Tháng này: nhận 3 ·")
    assert "Ô chờ thu: 3" in lines[2] and "hết hạn ngày mai: 0" in lines[2]

    # -- collect three deposits: scan, tap, scan -----------------------------------------
    qtbot.mouseClick(overview.actions["collect"], Qt.LeftButton)
    collect = console.screens["collect"]
    for i, tray in enumerate(("A02", "A10", "A18")):
        qtbot.waitUntil(lambda: collect.step is not None and collect.step.tray == tray,
                        timeout=5000)
        assert collect.tray.text() == f"Ô {tray}"
        if i == 1:
            qtbot.mouseClick(collect.taken_btn, Qt.LeftButton)
        else:
            code_sim.show(deposits[tray])
        qtbot.waitUntil(lambda: collect.next_btn.isVisible(), timeout=5000)
        close_door(sim_bus, profile, doors, tray, item=False)
        qtbot.mouseClick(collect.next_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: collect.tray.text() == "✓", timeout=5000)
    assert "Đã thu 3 hồ sơ" in collect.dossier.text()

    # -- load two results: one from the city's list, one typed by hand ------------------
    qtbot.mouseClick(console.home_btn, Qt.LeftButton)
    qtbot.mouseClick(overview.actions["load"], Qt.LeftButton)
    load = console.screens["load"]
    assert console.current() is load
    code_sim.show("HS261120-AB3CD")
    qtbot.waitUntil(lambda: "cỡ S" in load.info.text(), timeout=5000)
    clock.advance(minutes=2)                                        # 13:32
    qtbot.mouseClick(load.open_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: load.pending is not None, timeout=5000)
    first = load.pending
    close_door(sim_bus, profile, doors, first.tray, item=True)
    qtbot.waitUntil(lambda: load.pending is None, timeout=5000)
    assert "Đã nạp HS261120-AB3CD" in load.message.text()
    for ch in "HS261101-ZZ9XY":
        load.keypad.press(ch)
    load.keypad.press("OK")
    qtbot.waitUntil(lambda: load.phone.isVisible(), timeout=5000)
    for ch in "0912345678":
        load.keypad.press(ch)
    qtbot.mouseClick(load.size_btns["L"], Qt.LeftButton)
    qtbot.mouseClick(load.open_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: load.pending is not None, timeout=5000)
    second = load.pending
    assert second.size == "L"
    close_door(sim_bus, profile, doors, second.tray, item=True)
    qtbot.waitUntil(lambda: load.pending is None, timeout=5000)
    assert load.loaded.text().count("✓") == 2

    # -- take back the expired result ------------------------------------------------------
    qtbot.mouseClick(console.home_btn, Qt.LeftButton)
    qtbot.mouseClick(overview.actions["retrieve"], Qt.LeftButton)
    retrieve = console.screens["retrieve"]
    qtbot.waitUntil(lambda: retrieve.step is not None and retrieve.step.tray == old.tray,
                    timeout=5000)
    qtbot.mouseClick(retrieve.taken_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: retrieve.next_btn.isVisible(), timeout=5000)
    close_door(sim_bus, profile, doors, old.tray, item=False)

    # -- report: printed and sent ---------------------------------------------------------
    qtbot.mouseClick(console.home_btn, Qt.LeftButton)
    qtbot.mouseClick(overview.finish_btn, Qt.LeftButton)
    report = console.screens["report"]
    qtbot.waitUntil(lambda: report.heading.text().startswith("Đợt 13:30"), timeout=10000)
    assert report.heading.text() == "Đợt 13:30: thu 3, nạp 2, lấy về 1"
    assert len(printer[0].wait_receipts(1)) == 1
    qtbot.mouseClick(report.done_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(journal(ledger, action="staff.signout")), timeout=5000)
    assert not console.isVisible() and console.session is None

    # -- every step is in the journal and in the outbox -------------------------------------
    for code in deposits.values():
        assert ledger.dossier(code)["state"] == D.COLLECTED.value
    for tray in deposits:        # emptied (A02 was then reused for a result of size S)
        assert any(r["subject"] == tray and r["to_state"] == "EMPTY" and
                   r["reason"].startswith("deposit collected") for r in journal(ledger))
    assert ledger.tray("A10")["state"] == T.EMPTY.value
    assert ledger.dossier("HS261120-AB3CD")["state"] == D.RESULT_LOADED.value
    assert ledger.dossier("HS261120-AB3CD")["deadline_at"] == "2026-11-30T06:32:00Z"
    assert ledger.dossier("HS261101-ZZ9XY")["state"] == D.RESULT_LOADED.value
    assert ledger.dossier("HS261118-EX7PD")["state"] == D.RETURNED_TO_OFFICE.value
    rows = [r for r in journal(ledger) if r["seq"] > mark]
    actors = {r["actor"] for r in rows if r["action"] in ("dossier.state", "tray.state")
              and r["subject"] not in ()} - {"system:doors"}
    assert actors == {"staff:nv01"}
    moves = [(r["subject"], r["to_state"]) for r in rows if r["action"] == "dossier.state"]
    assert sorted(moves) == sorted(
        [(c, "COLLECTED") for c in deposits.values()] +
        [("HS261120-AB3CD", "RESULT_LOADED"), ("HS261101-ZZ9XY", "RESULT_LOADED"),
         ("HS261118-EX7PD", "RETURNED_TO_OFFICE")])
    sent = {(json.loads(r["payload"])["subject"], json.loads(r["payload"])["to"])
            for r in outbox(ledger, "dossier.state")}
    assert set(moves) <= sent
    kinds = [r["kind"] for r in outbox(ledger) if r["journal_seq"] > mark]
    for kind in ("staff.signin", "round.started", "round.report", "sms.request",
                 "staff.signout"):
        assert kind in kinds, kind
    texts = [json.loads(r["payload"])["text"] for r in outbox(ledger, "sms.request")
             if r["journal_seq"] > mark]
    # returned: the kiosk has no number any more, the city sends it
    assert any("HS261118-EX7PD" in t and "107 Cao Van Lau" in t for t in texts)
    # loaded: the number was at hand (city list, typed by staff), sent at once
    sms = {s["text"].split()[4]: s for s in city_sms(city)}
    assert sms["HS261120-AB3CD"]["to_phone"] == "0912345678"
    assert "13:32 ngay 30/11/2026" in sms["HS261120-AB3CD"]["text"]
    assert sms["HS261101-ZZ9XY"]["to_phone"] == "0912345678"
    assert "ngay 30/11/2026" in sms["HS261101-ZZ9XY"]["text"]
    report_ev = json.loads(outbox(ledger, "round.report")[-1]["payload"])["data"]
    assert (len(report_ev["collected"]), len(report_ev["loaded"]),
            len(report_ev["returned"])) == (3, 2, 1)


def test_wrong_sign_in_stays_on_sign_in_then_locks(qtbot, console, auth, clock, ledger):
    auth.add("nv01", "Lê Văn Nam", PIN)
    screen = console.screens["signin"]
    for i in range(5):
        sign_in(qtbot, console, auth, clock, pin="000000")
        qtbot.waitUntil(lambda: screen.message.isVisible() and screen.go_btn.isEnabled(),
                        timeout=5000)
        assert console.current() is screen and console.session is None
        assert screen.fields["pin"].text() == ""
    assert "locked until 13:40" in screen.message.text()
    assert len(journal(ledger, action="staff.locked")) == 1


def test_staff_cannot_open_technician_screens(qtbot, console, auth, clock):
    auth.add("nv01", "Lê Văn Nam", PIN)
    for name in ("overview", "collect", "load", "report", "diagnostics", "trays", "journal"):
        console.show_screen(name)
        assert console.current().name == "signin", name
    sign_in(qtbot, console, auth, clock)
    qtbot.waitUntil(lambda: console.session is not None, timeout=5000)
    for name in ("diagnostics", "trays", "journal"):
        console.show_screen(name)
        assert console.current().name == "signin", name


def test_technician_screens(qtbot, console, auth, clock, ledger, doors, sim_bus, profile,
                            tmp_path):
    auth.add("kt01", "Phạm Minh Tuấn", "739164", role="technician")
    doors.poll_once()
    sign_in(qtbot, console, auth, clock, "kt01", "739164")
    diag = console.screens["diagnostics"]
    qtbot.waitUntil(lambda: console.current() is diag and len(diag._rows) > 0, timeout=10000)
    names = [w.text() for w in diag._rows[1::3]]
    assert "lockboard:bus-a:0" in names and "outbox" in names and "disk" in names
    # trays: open A05 with a reason, then bring it back empty
    console.show_screen("trays")
    trays = console.screens["trays"]
    qtbot.waitUntil(lambda: "A05" in trays.tray_btns, timeout=5000)
    qtbot.mouseClick(trays.tray_btns["A05"], Qt.LeftButton)
    qtbot.mouseClick(trays.open_btn, Qt.LeftButton)
    assert "lý do" in trays.message.text().lower()          # no reason, nothing opened
    trays.reason.setText("Cửa kẹt")
    qtbot.mouseClick(trays.open_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: ledger.tray("A05")["state"] == T.OUT_OF_SERVICE.value and
                    "A05\nngừng" == trays.tray_btns["A05"].text(), timeout=5000)
    close_door(sim_bus, profile, doors, "A05")
    qtbot.mouseClick(trays.back_btn, Qt.LeftButton)          # holds what? say it first
    assert "Ô trống" in trays.message.text()
    qtbot.mouseClick(trays.empty_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: ledger.tray("A05")["state"] == T.EMPTY.value, timeout=5000)
    assert journal(ledger, action="door.service_open")[0]["actor"] == "technician:kt01"
    # journal export
    console.show_screen("journal")
    export = console.screens["journal"]
    export.dest.setText(str(tmp_path / "exports"))
    qtbot.mouseClick(export.go_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Đã xuất" in export.message.text(), timeout=5000)
    assert list((tmp_path / "exports").glob("journal-*.csv"))


def test_citizen_window_cannot_reach_service_screens(qtbot, tmp_path):
    """The citizen window knows no service screen, and scanning any code on it never
    opens one; the only way in is the hidden gesture, which lands on sign-in."""
    import ui.main_window as mw
    from ui.staff import screens as staff_screens
    from ui.technician import screens as tech_screens
    classes, _overlay = mw.screen_classes()
    citizen_names = {cls.name if cls.name else None for cls, _kw in classes}
    service_names = {cls.name for cls in staff_screens.SCREENS + tech_screens.SCREENS}
    assert not (citizen_names & service_names - {"signin"})
    import inspect
    import pkgutil
    import ui.screens
    for info in pkgutil.iter_modules(ui.screens.__path__):
        src = inspect.getsource(__import__(f"ui.screens.{info.name}",
                                           fromlist=["x"]))
        assert "ui.staff" not in src and "ui.technician" not in src, info.name
    assert "ui.staff" not in inspect.getsource(mw)
    for screen in staff_screens.SCREENS + tech_screens.SCREENS:
        assert screen.role in ("staff", "technician") or screen is staff_screens.SignInScreen


def test_gesture_opens_sign_in_only(qtbot, profile, clock, auth, rounds, ledger):
    from PyQt5.QtWidgets import QLabel, QMainWindow
    from ui.staff import install_service_gesture
    win = QMainWindow()
    corner = QLabel("☎ 1022")
    win.setCentralWidget(corner)
    qtbot.addWidget(win)
    went_home = []
    win.home = lambda reason: went_home.append(reason)
    services = types.SimpleNamespace(cfg=profile, clock=clock, staff_auth=auth, rounds=rounds,
                                     diagnostics=None, code_reader=None)
    install_service_gesture(win, services, widget=corner, hold_ms=200)
    win.show()
    qtbot.mouseClick(corner, Qt.LeftButton)                # a tap does nothing
    qtbot.wait(300)
    assert getattr(win, "_service_console", None) is None
    qtbot.mousePress(corner, Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(win, "_service_console", None) is not None, timeout=3000)
    qtbot.mouseRelease(corner, Qt.LeftButton)
    console = win._service_console
    assert console.isVisible() and console.current().name == "signin"
    assert went_home == ["staff"]
    console.sign_out("test")
    assert not console.isVisible()
    console.shutdown()


def test_real_citizen_window_reaches_staff_only_by_the_gesture(qtbot, tmp_path):
    """On the citizen window: codes of every kind, every welcome choice and the header
    never show a service screen; holding the hotline corner shows the sign-in."""
    from PyQt5.QtWidgets import QApplication
    from kiosk.auth.staff import StaffAuth
    from kiosk.clock import ManualClock
    from ui.demo_world import DemoWorld
    from ui.main_window import CitizenWindow
    from ui.staff import install_service_gesture
    from ui.staff.console import ServiceConsole

    world = DemoWorld(tmp_path / "world", clock=ManualClock(datetime(2026, 11, 27, 13, 30)))
    win = CitizenWindow(world.citizen, world.cfg, world.clock)
    qtbot.addWidget(win)
    rounds_svc = RoundService(ledger=world.ledger, doors=world.doors, clock=world.clock)
    services = types.SimpleNamespace(
        cfg=world.cfg, clock=world.clock, rounds=rounds_svc, diagnostics=None,
        code_reader=None, staff_auth=StaffAuth(world.ledger, world.clock,
                                               tmp_path / "totp.json", scrypt_n=2 ** 10))
    install_service_gesture(win, services, hold_ms=300)
    win.resize(1920, 1080)
    win.show()

    def consoles():
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, ServiceConsole) and w.isVisible()]

    try:
        for text in ("NV01", "kt01", "staff", "HS261127-ABCDE", "0912345678",
                     "079190012345|271234567|Trần Thị Mai|01011960|Nữ|Q6|01012021"):
            win.code_read.emit(text)
            qtbot.wait(20)
            assert consoles() == [] and win.current().name in win.screens
            win.home("test")
        for key in ("deposit", "pickup", "status"):
            qtbot.mouseClick(win.screens["welcome"].choices[key], Qt.LeftButton)
            assert consoles() == [] and not hasattr(win.current(), "role")
            win.home("test")
        qtbot.mouseClick(win.header.hotline, Qt.LeftButton)          # a tap: nothing
        qtbot.wait(400)
        assert consoles() == []
        win.go("status")
        qtbot.mousePress(win.header.hotline, Qt.LeftButton)
        qtbot.waitUntil(lambda: len(consoles()) == 1, timeout=3000)
        qtbot.mouseRelease(win.header.hotline, Qt.LeftButton)
        console = consoles()[0]
        assert console.current().name == "signin" and console.session is None
        assert win.current().name == "welcome"             # the citizen side went home
        # a code scanned while staff work at the console stays out of the citizen window
        win.code_read.emit("HS261127-ABCDE")
        qtbot.wait(20)
        assert win.current().name == "welcome"
        console.sign_out("test")
        assert consoles() == []
        console.shutdown()
    finally:
        win.shutdown()
        world.close()


def test_load_asks_for_the_phone_when_the_code_is_unknown(qtbot, console, auth, clock):
    auth.add("nv01", "Lê Văn Nam", PIN)
    sign_in(qtbot, console, auth, clock)
    qtbot.waitUntil(lambda: console.run is not None, timeout=5000)
    console.show_screen("load")
    load = console.screens["load"]
    assert not load.phone.isVisible()
    load.code.setText("HS261101-ZZ9XY")
    qtbot.mouseClick(load.open_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: load.phone.isVisible(), timeout=5000)
    assert "phone" in load.message.text() and load.open_btn.isEnabled()
    assert load.keypad.target is load.phone
    for ch in "0912":
        load.keypad.press(ch)
    qtbot.mouseClick(load.open_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: "10 digits" in load.message.text(), timeout=5000)
    assert load.pending is None
