"""Handing a receipt over: printer first, SMS always, and what the screen says when not."""
import json

from kiosk.receipts import deliver_receipt

from .conftest import CODE

PHONE = "0912345678"


def _inbox(modem_sim):
    if not modem_sim.inbox.exists():
        return []
    return [json.loads(x) for x in modem_sim.inbox.read_text("utf-8").splitlines()]


def test_printed_and_texted(printer, printer_sim, modem, modem_sim, deposit_receipt):
    out = deliver_receipt(deposit_receipt, printer=printer, send_sms=modem.send, phone=PHONE)
    assert out.printed and out.sms_parts == 2 and out.printer_state == "ok"
    assert out.notice_vi == out.notice_en == out.technician == ""
    assert len(printer_sim.wait_receipts(1)) == 1
    assert CODE in _inbox(modem_sim)[0]["text"]


def test_paper_end_means_sms_only_and_the_screen_says_so(printer, printer_sim, modem,
                                                         modem_sim, deposit_receipt):
    printer_sim.set(paper_end=True)
    out = deliver_receipt(deposit_receipt, printer=printer, send_sms=modem.send, phone=PHONE)
    assert not out.printed and out.printer_state == "paper-out"
    assert "SMS" in out.notice_vi and "*******678" in out.notice_en
    assert PHONE not in out.notice_vi + out.notice_en + out.technician
    assert "roll" in out.technician
    assert len(_inbox(modem_sim)) == 2 and printer_sim.receipts == []


def test_paper_near_end_prints_and_warns_the_technician(printer, printer_sim,
                                                        deposit_receipt):
    printer_sim.set(paper_near_end=True)
    out = deliver_receipt(deposit_receipt, printer=printer)
    assert out.printed and out.printer_state == "paper-near-end"
    assert out.notice_vi == "" and "nearly out" in out.technician


def test_nothing_works_so_the_code_is_shown(printer, printer_sim, modem, modem_sim,
                                            deposit_receipt):
    printer_sim.set(offline=True)
    modem_sim.no_network = True
    out = deliver_receipt(deposit_receipt, printer=printer, send_sms=modem.send, phone=PHONE)
    assert not out.printed and out.sms_parts == 0 and out.printer_state == "offline"
    assert CODE in out.notice_vi and CODE in out.notice_en
    assert "does not answer" in out.technician and "331" in out.technician


def test_printed_but_sms_failed(printer, printer_sim, modem, modem_sim, deposit_receipt):
    modem_sim.cms_error = 42
    out = deliver_receipt(deposit_receipt, printer=printer, send_sms=modem.send, phone=PHONE)
    assert out.printed and out.sms_parts == 0
    assert "giấy" in out.notice_vi and "paper receipt" in out.notice_en
