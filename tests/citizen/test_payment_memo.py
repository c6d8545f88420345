"""The fee's transfer memo keeps the dossier code whole: read back from the QR (EMVCo
TLV, field 62/08) it still holds the code, whatever the kiosk id or procedure code."""
from __future__ import annotations

import pytest

from kiosk.cccd import is_dossier_code
from kiosk.payment_memo import MEMO_LIMIT, payment_memo
from kiosk.vietqr import VietQr, parse, parse_tlv
from ui.demo_world import DemoWorld

CARD = "079123456789|123456789|Trần Thị Mai|01011960|Nữ|Q6|01012021"


def _memo_in_qr(payload: str) -> str:
    """Field 62 (additional data), sub-field 08 (purpose), by plain TLV walking."""
    return parse_tlv(parse_tlv(payload)["62"])["08"]


@pytest.mark.parametrize("extra", [(), ("KS-01",), ("KIOSK-HCM-Q6-0001", "0123456789abcdef"),
                                   ("Lệ phí đăng ký kết hôn có yếu tố nước ngoài",)])
def test_the_code_survives_whatever_follows(extra):
    code = "HS260302-7KQ4M"
    memo = payment_memo(code, *extra)
    assert memo.startswith(code) and len(memo) <= MEMO_LIMIT and memo.isascii()
    payload = VietQr("970436", "0011001234567", 30000, memo).payload()
    assert _memo_in_qr(payload).split()[0] == code
    assert parse(payload)["purpose"] == memo


def test_words_are_never_cut():
    assert payment_memo("HS260302-7KQ4M", "KS-01", "TOO-LONG-TO-FIT") == "HS260302-7KQ4M KS-01"


def _deposit(w, procedure):
    dep = w.citizen.start_deposit(procedure)
    w.citizen.identify(dep, CARD)
    w.citizen.deposit_phone(dep, "0912 345 678")
    w.citizen.deposit_code(dep, w.sms.last_code())
    return dep


@pytest.mark.parametrize("kiosk_id", ["Q6-01", "KIOSK-HCM-QUAN6-PHUONG14-0001"])
def test_paper_deposit_qr_memo_holds_the_dossier_code(tmp_path, kiosk_id):
    w = DemoWorld(tmp_path)
    try:
        w.citizen.kiosk_id = kiosk_id
        dep = _deposit(w, "1.001612")
        w.citizen.reserve_tray(dep)               # paper: the tray and the code come first
        pay = w.citizen.start_payment(dep)
        memo = _memo_in_qr(pay["payload"])
        assert dep.code in memo and memo.startswith(dep.code)
        assert w.ledger.dossier(dep.code) is not None
    finally:
        w.close()


def test_payment_before_the_dossier_exists_keeps_its_code(tmp_path):
    """Online deposits pay before the dossier is written: the code in the memo is the one
    the dossier then gets."""
    w = DemoWorld(tmp_path)
    try:
        dep = _deposit(w, "1.001612")
        pay = w.citizen.start_payment(dep)
        memo_code = _memo_in_qr(pay["payload"]).split()[0]
        assert is_dossier_code(memo_code) and memo_code == dep.code
        w.citizen.reserve_tray(dep)
        assert dep.code == memo_code and w.ledger.dossier(memo_code) is not None
    finally:
        w.close()


def test_the_city_qr_memo_holds_the_dossier_code(tmp_path):
    """The QR the city simulator builds from the kiosk's memo (it cuts at 25 too)."""
    from sim.city.server import CitySim
    from sync.client import CityClient
    from sync.payments import CityPayments
    code = "HS260302-7KQ4M"
    with CitySim(tmp_path / "city.db", port=0) as city, \
            CityClient(city.api_url, "test-token", "KIOSK-HCM-QUAN6-PHUONG14-0001") as client:
        created = CityPayments(client).create(
            reference="txn-1", amount=30000, dossier_code=code,
            purpose=payment_memo(code, "1.001612", "KIOSK-HCM-QUAN6-PHUONG14-0001"))
    assert parse(created["payload"])["purpose"].split()[0] == code
