"""Pickup of several results, the identity check, the OTP rules and status lookup, on
the real services with the simulated devices and city."""
from kiosk.models import DossierState as D, TrayState as T

PHONE = "0912345678"
OTHER = "0987654321"
CCCD = "079190012345"


def take_result(k, screen):
    k.qtbot.waitUntil(lambda: screen.door.state == "open", timeout=10000)
    result = screen.current_result()
    board, lock = k.board_lock(result["tray_id"])
    k.lock.remove_item(board, lock)
    k.lock.close_door(board, lock)
    k.qtbot.waitUntil(lambda: screen.door.state in ("closed", "locked"), timeout=10000)
    k.click(screen.finish_btn)
    return result


def test_pickup_of_two_results_one_with_id_check(kiosk):
    k = kiosk
    a = k.load_result(PHONE)
    b = k.load_result(PHONE, needs_id_check=True, id_number=CCCD)
    other = k.load_result(OTHER)
    k.click(k.screen().choices["pickup"])
    k.verify_phone("pickup")
    first = take_result(k, k.wait_screen("pickup-tray"))
    assert first["code"] == a["code"]
    ident = k.wait_screen("pickup-id")
    k.type_on(ident.keypad, "079000000000")             # not the ID on the dossier
    assert ident.error.isVisible()
    assert k.screen().name == "pickup-id"
    k.reader.show(f"{CCCD}|271234567|Trần Thị Mai|01011960|Nữ|Q6|01012021")
    second = take_result(k, k.wait_screen("pickup-tray"))
    assert second["code"] == b["code"]
    k.wait_screen("rating")
    for d in (a, b):
        assert k.ledger.dossier(d["code"])["state"] == D.PICKED_UP.value
        assert k.ledger.tray(d["tray_id"])["state"] == T.EMPTY.value
    assert k.ledger.dossier(other["code"])["state"] == D.RESULT_LOADED.value
    assert k.lock.unlocks() and all(
        (k.board_lock(d["tray_id"])) in k.lock.unlocks() for d in (a, b))
    assert k.board_lock(other["tray_id"]) not in k.lock.unlocks()


def test_wrong_code_three_times_then_a_new_code(kiosk):
    k = kiosk
    k.load_result(PHONE)
    k.click(k.screen().choices["pickup"])
    k.type_on(k.wait_screen("pickup-phone").keypad, PHONE)
    otp = k.wait_screen("pickup-otp")
    k.wait_sms(1)
    good = k.last_code()
    bad = f"{(int(good) + 1) % 1000000:06d}"
    for left in (2, 1):
        k.type_on(otp.keypad, bad)
        assert otp.error.text() == k.win.tr("err.otp.wrong", tries=left)
    k.type_on(otp.keypad, bad)
    assert otp.error.text() == k.win.tr("err.otp.exhausted")
    k.type_on(otp.keypad, good)                      # too late for the first code
    assert k.screen().name == "pickup-otp"
    k.click(otp.resend_btn)
    k.wait_sms(2)
    k.qtbot.waitUntil(lambda: otp.resend_btn.isEnabled(), timeout=5000)
    k.type_on(otp.keypad, k.last_code())
    k.wait_screen("pickup-tray")
    # the code never reaches the log or the journal
    journal = str(k.ledger.store.query("SELECT * FROM journal"))
    assert good not in journal and PHONE not in journal


def test_at_most_three_sms_in_fifteen_minutes(kiosk):
    k = kiosk
    k.click(k.screen().choices["pickup"])
    k.type_on(k.wait_screen("pickup-phone").keypad, PHONE)
    otp = k.wait_screen("pickup-otp")
    for n in (2, 3):
        k.click(otp.resend_btn)
        k.wait_sms(n)
    k.click(otp.resend_btn)
    k.qtbot.waitUntil(lambda: otp.error.isVisible() and "15" in otp.error.text(), timeout=5000)
    assert len(k.sms_texts()) == 3


def test_status_by_receipt_qr(kiosk):
    k = kiosk
    d = k.load_result(PHONE)
    k.reader.show(d["code"])                         # the receipt's QR at the welcome screen
    result = k.wait_screen("status-result")
    k.qtbot.waitUntil(lambda: d["code"] in result.lines.text(), timeout=5000)
    assert d["tray_id"] in result.lines.text()


def test_status_by_phone_and_code(kiosk):
    k = kiosk
    d = k.load_result(PHONE)
    k.click(k.screen().choices["status"])
    k.click(k.wait_screen("status").phone_btn)
    k.verify_phone("status")
    result = k.wait_screen("status-result")
    k.qtbot.waitUntil(lambda: d["code"] in result.lines.text(), timeout=5000)


def test_no_result_for_this_phone_says_what_to_do(kiosk):
    k = kiosk
    k.click(k.screen().choices["pickup"])
    k.verify_phone("pickup", OTHER)
    problem = k.wait_screen("problem")
    assert problem.what.text() == k.win.tr("err.pickup.none")
    k.click(problem.home_btn)
    k.wait_screen("welcome")
