"""SMS, payments, catalog and results through the city simulator."""
from __future__ import annotations

import json

import pytest

from kiosk.models import DossierState as D
from kiosk.services.citizen import Catalog
from kiosk.vietqr import parse as parse_vietqr
from sync.catalog import CatalogCache
from sync.client import CityClient
from sync.errors import CityError, SmsNotSent
from sync.payments import CityPayments
from sync.results import ResultsInbox
from sync.sms import SmsRouter
from tests.sync.conftest import KIOSK, PHONE, TOKEN, RecordingModem, make_service


def test_sms_goes_through_the_city_once_per_key(city, sync_store, client, clock):
    modem = RecordingModem()
    router = SmsRouter(sync_store, client, clock, modem)
    assert router.send("0912 345 678", "Mã xác thực của bạn là 123456", key="otp-1") == "city"
    assert router.send(PHONE, "Mã xác thực của bạn là 123456", key="otp-1") == "city"
    inbox = [json.loads(line) for line in city.db.sms_inbox.read_text("utf-8").splitlines()]
    assert [(m["to"], m["text"]) for m in inbox] == [(PHONE, "Mã xác thực của bạn là 123456")]
    assert modem.sent == []
    row = sync_store.query_one("SELECT * FROM sync_sms WHERE key = 'otp-1'")
    assert row["via"] == "city" and row["phone_masked"] == "*******678"


def test_sms_falls_back_to_the_modem_when_the_city_is_down(city, sync_store, client, clock):
    modem = RecordingModem()
    router = SmsRouter(sync_store, client, clock, modem)
    city.set_faults(down=True)
    assert router.send(PHONE, "Kết quả đã sẵn sàng", key="ready-1") == "modem"
    city.set_faults(down=False)
    assert router.send(PHONE, "Kết quả đã sẵn sàng", key="ready-1") == "modem"   # not resent
    assert modem.sent == [(PHONE, "Kết quả đã sẵn sàng")]
    assert city.stats()["sms"] == 0


def test_sms_skips_the_city_when_the_link_is_known_down(city, sync_store, client, clock):
    modem = RecordingModem()
    router = SmsRouter(sync_store, client, clock, modem, link_up=lambda: False)
    assert router.send(PHONE, "Xin chào", key="k-down") == "modem"
    assert city.stats()["sms"] == 0 and city.stats()["faults"] == {}


def test_sms_not_sent_names_both_causes_without_the_number(city, sync_store, client, clock):
    router = SmsRouter(sync_store, client, clock, RecordingModem(fail=True))
    city.set_faults(down=True)
    with pytest.raises(SmsNotSent) as err:
        router.send(PHONE, "Xin chào", key="k-fail")
    text = str(err.value)
    assert "city unreachable" in text and "modem failed" in text
    assert PHONE not in text and "*******678" in text


def test_vietqr_payment_create_status_confirm(city, client):
    pay = CityPayments(client)
    created = pay.create(reference="txn-0001", amount=15000, purpose="Q6 HT-04",
                         dossier_code="HS260302-ABCDE")
    again = pay.create(reference="txn-0001", amount=15000, purpose="Q6 HT-04")
    assert again["id"] == created["id"]
    qr = parse_vietqr(created["payload"])
    assert qr["amount"] == 15000 and qr["currency"] == "704" and qr["country"] == "VN"
    assert pay.status(created["id"]) == "pending"
    import requests
    requests.post(f"{city.url}/_sim/payments/{created['id']}/confirm", timeout=5)
    assert pay.status(created["id"]) == "paid"


def test_payment_offline_raises_so_the_citizen_pays_at_the_counter(city, client):
    city.set_faults(down=True)
    with pytest.raises(CityError):
        CityPayments(client).create(reference="txn-2", amount=30000, purpose="x")


def test_catalog_is_cached_and_works_offline(city, sync_store, client, clock):
    cache = CatalogCache(sync_store, client, clock)
    assert cache.source()["origin"] == "snapshot" and cache.procedures()  # never empty
    assert cache.refresh() is True
    assert cache.source()["origin"] == "city"
    assert cache.refresh() is False          # ETag: not changed
    every = cache.all_procedures()
    assert len(every) >= 40
    assert all(p["name"]["vi"] and p["name"]["en"] and p["name"]["zh"] for p in every)
    deposit = cache.procedures()
    assert 0 < len(deposit) < len(every) and all(p["kiosk_receive"] for p in deposit)
    # a new process with the city gone still has it
    dead = CityClient("http://127.0.0.1:9/api/v1", TOKEN, KIOSK, timeout_s=0.5)
    offline = CatalogCache(sync_store, dead, clock)
    with pytest.raises(CityError):
        offline.refresh()
    assert [p["code"] for p in offline.procedures()] == [p["code"] for p in deposit]
    dead.close()
    # the citizen service reads it as it is
    catalog = Catalog(offline)
    found = catalog.search("dang ky khai sinh")
    assert found and found[0].names["zh"] == "出生登记"
    assert catalog.get("1.013225").required_docs["en"][0] == "Written request (1 original)"
    assert catalog.get("1.013225").required_docs["zh"][2] == "建筑设计图纸 (原件2份)"


def test_results_pulled_by_cursor_in_pages_despite_reordered_answers(
        city, sync_store, ledger, clock, client, tmp_path):
    service = make_service(sync_store, ledger, clock, client, tmp_path)
    codes = []
    for _ in range(7):
        d = ledger.create_dossier(procedure_code="1.001612", state=D.DRAFT, actor="citizen",
                                  phone=PHONE)
        ledger.move_dossier(d["code"], D.DEPOSITED, actor="citizen", reason="deposited")
        ledger.move_dossier(d["code"], D.COLLECTED, actor="staff:NV001", reason="round")
        codes.append(d["code"])
    try:
        while service.run_once():
            pass
        city.advance(3601)
        city.set_faults(rate=1.0, kinds=["reorder"], paths=["/results"])
        inbox = ResultsInbox(sync_store, client, clock, ledger.pii, page_size=3)
        assert inbox.pull() == 7
        assert inbox.pull() == 0
        online = {"dossier_code": "HS-ONLINE-1", "kiosk_id": KIOSK, "procedure_code": "1.004194",
                  "phone": "0987654321", "citizen_name": "Lê Văn Bình", "id_check": True}
        import requests
        requests.post(f"{city.url}/_sim/results", json=online, timeout=5).raise_for_status()
        assert inbox.pull() == 1
    finally:
        service.close()
    waiting = inbox.waiting()
    assert {w["dossier_code"] for w in waiting[:7]} == set(codes)
    assert waiting[-1]["dossier_code"] == "HS-ONLINE-1"
    assert waiting[-1]["citizen_name_masked"] == "L* V** Bình" and waiting[-1]["id_check"]
    assert all(w["fee_due"] == 100000 for w in waiting[:7])
    assert waiting[0]["phone_hmac"] == ledger.pii.phone_hmac(PHONE)
    assert inbox.get(codes[0])["phone"] == PHONE
    assert inbox.mark_loaded(codes[0]) and not inbox.mark_loaded(codes[0])
    assert inbox.get(codes[0])["phone"] is None
    assert len(inbox.waiting()) == 7
