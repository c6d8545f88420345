"""Online submission at the machine, and a deposit while the city link is down."""
import re

from PIL import Image

from kiosk.models import DossierState as D, TrayState as T

PHONE = "0912345678"


def modem_text(k) -> str:
    return "".join(str(r.get("text", "")) for r in k.modem.sent)


def feed_pages(k, count=2, blank_first=False):
    """Made scans of a form (small: OCR runs in the background of the test)."""
    from bench.vi_pages import make_page
    folder = k.cfg.path(k.cfg.scanner.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        img, _ = make_page(50 + n, a4=False, lines=4)
        if blank_first and n == 0:
            img = Image.new("L", img.size, 244)
        img.save(folder / f"page-{n + 1}.png", dpi=(200, 200))


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
    assert any(code in text for text in k.sms_texts())
    # OCR, PDF/A and signature run in the background; the signed e-copy is queued, sent,
    # and the city's check of its signature and PDF/A claim passes
    query = "SELECT * FROM sync_uploads WHERE dossier_code = ?"
    k.qtbot.waitUntil(lambda: len(k.services.store.query(query, (code,))) == 1,
                      timeout=120000)
    rows = k.services.store.query(query, (code,))
    assert rows[0]["length"] > 1000
    k.services.sync.kick()
    checks = "SELECT ok, signer, pdfa FROM ecopy_checks WHERE dossier_code = ?"
    k.qtbot.waitUntil(lambda: k.city.db.query(checks, (code,)) != [], timeout=60000)
    assert k.city.db.query(checks, (code,)) == [{"ok": 1, "signer": k.cfg.kiosk.id,
                                                 "pdfa": "2B"}]


def test_a_page_the_checks_find_fault_with_is_shown_with_rescan_or_keep(kiosk):
    k = kiosk
    online = next(p for p in k.services.citizen.catalog.items()
                  if p.online_allowed and p.fee == 0)
    k.click(k.screen().choices["deposit"])
    k.click(k.wait_screen("deposit-catalog").proc_btns[online.code])
    k.click(k.wait_screen("deposit-procedure").online_btn)
    k.type_on(k.wait_screen("deposit-identify").keypad, "079190012345")
    k.click(k.wait_screen("deposit-privacy").accept_btn)
    k.verify_phone("deposit")
    scan = k.wait_screen("deposit-scan")
    feed_pages(k, blank_first=True)
    k.click(scan.scan_btn)
    k.qtbot.waitUntil(lambda: scan.rescan_btn.isVisible(), timeout=30000)
    assert scan.notice.text() == k.win.tr("page.blank", n=1)
    assert scan.notice.text().startswith("Trang 1 là trang trắng")
    assert not scan.next_btn.isEnabled()             # rescan or keep first
    feed_pages(k)                                    # the right side this time
    k.click(scan.rescan_btn)
    k.qtbot.waitUntil(lambda: scan.scan_btn.isEnabled()
                      and len(k.win.session["deposit"].pages) == 2, timeout=30000)
    assert not scan.notice.isVisible() and scan.next_btn.isEnabled()
    feed_pages(k, count=1, blank_first=True)         # one more, blank: kept as it is
    k.click(scan.scan_btn)
    k.qtbot.waitUntil(lambda: scan.keep_btn.isVisible(), timeout=30000)
    assert scan.notice.text() == k.win.tr("page.blank", n=3)
    k.click(scan.keep_btn)
    assert scan.next_btn.isEnabled() and len(k.win.session["deposit"].pages) == 3


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
