"""A citizen hands in a dossier, from the welcome screen to the receipt, on the real
services with the simulated devices and city."""
import zxingcpp
from PIL import Image

from kiosk.models import DossierState as D, TrayState as T
CCCD_QR = "079190012345|271234567|Trần Thị Mai|01011960|Nữ|12 Hậu Giang, Q6, TP.HCM|01012021"
PHONE = "0912345678"


def start_deposit(k, code):
    k.click(k.screen().choices["deposit"])
    cat = k.wait_screen("deposit-catalog")
    k.click(cat.proc_btns[code])
    proc = k.wait_screen("deposit-procedure")
    k.click(proc.paper_btn)
    k.wait_screen("deposit-identify")
    k.reader.show(CCCD_QR)                       # the ID card's QR through the reader
    k.click(k.wait_screen("deposit-privacy").accept_btn)
    k.verify_phone("deposit")
    k.click(k.wait_screen("deposit-scan").skip_btn)


def put_dossier_in(k):
    tray_screen = k.wait_screen("deposit-tray")
    k.qtbot.waitUntil(lambda: tray_screen.door.state == "open", timeout=10000)
    dep = k.win.session["deposit"]
    board, lock = k.board_lock(dep.tray_id)
    assert k.ledger.tray(dep.tray_id)["state"] == T.OPEN.value
    assert k.ledger.dossier(dep.code)["state"] == D.DRAFT.value   # not before the door shuts
    k.lock.put_item(board, lock)
    k.lock.close_door(board, lock)
    return dep


def test_full_deposit_to_receipt(kiosk, caplog):
    import logging
    caplog.set_level(logging.DEBUG)
    k = kiosk
    start_deposit(k, k.free_procedure(fee=False))
    otp_code = k.last_code()
    dep = put_dossier_in(k)
    done = k.wait_screen("deposit-done")
    k.qtbot.waitUntil(lambda: done.outcome is not None, timeout=15000)
    assert done.outcome["printed"] and done.outcome["sms"]
    d = k.ledger.dossier(dep.code)
    assert d["state"] == D.DEPOSITED.value and d["tray_id"] == dep.tray_id
    assert k.ledger.tray(dep.tray_id)["state"] == T.OCCUPIED_DEPOSIT.value
    assert d["id_masked"].endswith("2345") and PHONE not in str(d)
    # the receipt the printer simulator drew decodes to the dossier code
    receipts = k.printer.wait_receipts(1)
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(receipts[-1]))]
    assert any(dep.code in text for text in decoded), decoded
    assert any(dep.code in text for text in k.sms_texts())
    # rating, then home with nothing personal left
    k.click(done.rate_btn)
    rating = k.wait_screen("rating")
    k.click(rating.stars[4])
    k.wait_screen("welcome", timeout=10000)
    assert k.win.session == {}
    # nothing personal in plaintext in any log line of the whole visit
    logged = caplog.text
    for secret in (PHONE, "079190012345", otp_code):
        assert secret not in logged
    ratings = k.ledger.store.query("SELECT COUNT(*) n FROM journal WHERE action = 'rating.given'")
    assert ratings[0]["n"] == 1


def test_printer_out_of_paper_gives_sms_receipt(kiosk):
    k = kiosk
    k.printer.set(paper_end=True)
    start_deposit(k, k.free_procedure(fee=False))
    dep = put_dossier_in(k)
    done = k.wait_screen("deposit-done")
    k.qtbot.waitUntil(lambda: done.outcome is not None, timeout=15000)
    assert done.outcome == {"printed": False, "sms": True, "code": dep.code}
    assert done.printed.text() == k.win.tr("done.no_paper")
    assert any(dep.code in text for text in k.sms_texts())
    assert k.ledger.dossier(dep.code)["state"] == D.DEPOSITED.value


def test_idle_in_the_middle_of_a_deposit_frees_the_tray(kiosk):
    k = kiosk
    start_deposit(k, k.free_procedure(fee=True))
    pay = k.wait_screen("deposit-payment")
    k.qtbot.waitUntil(lambda: pay.qr.pixmap() is not None and not pay.qr.pixmap().isNull(),
                      timeout=10000)
    dep = k.win.session["deposit"]
    assert k.ledger.tray(dep.tray_id)["state"] == T.RESERVED.value
    k.clock.advance(k.cfg.ui.idle_timeout_s + 1)
    k.qtbot.waitUntil(k.win.idle_overlay.isVisible, timeout=5000)
    k.click(k.win.idle_overlay.more_btn)          # one tap: more time
    assert k.screen().name == "deposit-payment" and not k.win.idle_overlay.isVisible()
    k.clock.advance(k.cfg.ui.idle_timeout_s + k.cfg.ui.idle_warning_s + 1)
    k.wait_screen("welcome", timeout=5000)
    assert k.ledger.tray(dep.tray_id)["state"] == T.EMPTY.value
    assert k.ledger.dossier(dep.code)["state"] == D.CANCELLED.value
    assert k.win.session == {} and dep.phone is None and dep.id_number is None
    assert k.win.screens["deposit-phone"].field.text() == ""
