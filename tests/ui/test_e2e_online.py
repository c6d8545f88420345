"""Online submission at the machine, and a deposit while the city link is down."""
import re

from PIL import Image, ImageDraw

from kiosk.models import DossierState as D, TrayState as T

PHONE = "0912345678"


def modem_text(k) -> str:
    return "".join(str(r.get("text", "")) for r in k.modem.sent)


def feed_pages(k, count=2):
    folder = k.cfg.path(k.cfg.scanner.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        img = Image.new("L", (850, 1100), 255)
        ImageDraw.Draw(img).text((80, 80), f"Tờ khai — trang {n + 1}", fill=0)
        img.save(folder / f"page-{n + 1}.png")


def test_scan_and_submit_online_leaves_no_paper(kiosk):
    k = kiosk
    online = next(p for p in k.services.citizen.catalog.items()
                  if p.online_allowed and p.fee == 0)
    k.click(k.screen().choices["deposit"])
    k.click(k.wait_screen("deposit-catalog").proc_btns[online.code])
    k.click(k.wait_screen("deposit-procedure").online_btn)
    ident = k.wait_screen("deposit-identify")
    k.type_on(ident.keypad, "079190012345")
    k.click(k.wait_screen("deposit-privacy").accept_btn)
    k.verify_phone("deposit")
    scan = k.wait_screen("deposit-scan")
    assert not scan.skip_btn.isVisible()            # online needs the pages
    feed_pages(k)
    k.click(scan.scan_btn)
    k.qtbot.waitUntil(lambda: len(k.win.session["deposit"].pages) == 2, timeout=15000)
    k.click(scan.next_btn)
    done = k.wait_screen("deposit-done")
    k.qtbot.waitUntil(lambda: done.outcome is not None, timeout=15000)
    code = done.outcome["code"]
    assert k.ledger.dossier(code)["state"] == D.SUBMITTED_ONLINE.value
    assert k.ledger.dossier(code)["tray_id"] is None
    assert k.lock.unlocks() == []                   # no tray opened
    rows = k.services.store.query("SELECT * FROM sync_uploads WHERE dossier_code = ?", (code,))
    assert len(rows) == 1 and rows[0]["length"] > 1000
    assert any(code in text for text in k.sms_texts())


def test_city_down_deposit_still_works_and_fee_goes_to_the_counter(kiosk):
    k = kiosk
    code = k.free_procedure(fee=True, size="M")
    k.stop_city()                                    # network down
    k.click(k.screen().choices["deposit"])
    k.click(k.wait_screen("deposit-catalog").proc_btns[code])
    k.click(k.wait_screen("deposit-procedure").paper_btn)
    k.type_on(k.wait_screen("deposit-identify").keypad, "079190012345")
    k.click(k.wait_screen("deposit-privacy").accept_btn)
    k.type_on(k.wait_screen("deposit-phone").keypad, PHONE)
    otp = k.wait_screen("deposit-otp")
    # the code went out through the GSM modem (maybe in several 70-character parts)
    k.qtbot.waitUntil(lambda: re.search(r"\b\d{6}\b", modem_text(k)) is not None,
                      timeout=20000)
    code_sms = re.search(r"\b(\d{6})\b", modem_text(k)).group(1)
    k.type_on(otp.keypad, code_sms)
    k.click(k.wait_screen("deposit-scan").skip_btn)
    pay = k.wait_screen("deposit-payment")
    k.qtbot.waitUntil(lambda: pay.state.text() == k.win.tr("payment.offline"), timeout=20000)
    k.click(pay.counter_btn)
    tray = k.wait_screen("deposit-tray")
    k.qtbot.waitUntil(lambda: tray.door.state == "open", timeout=10000)
    dep = k.win.session["deposit"]
    board, lock = k.board_lock(dep.tray_id)
    k.lock.put_item(board, lock)
    k.lock.close_door(board, lock)
    done = k.wait_screen("deposit-done")
    k.qtbot.waitUntil(lambda: done.outcome is not None, timeout=20000)
    assert done.payment.text() == k.win.tr("done.pay_counter")
    d = k.ledger.dossier(dep.code)
    assert d["state"] == D.DEPOSITED.value
    assert k.ledger.tray(dep.tray_id)["state"] == T.OCCUPIED_DEPOSIT.value
    assert d["payment"] == "at_counter"
