"""The date to come back: promised at the deposit, on the receipt, on the status screen,
in the dossier.created event; a later date supersedes it without erasing it."""
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.appointments import label
from kiosk.clock import ManualClock
from kiosk.receipts import render_receipt
from ui.demo_world import DemoWorld

CARD = "079123456789|123456789|Trần Thị Mai|01011960|Nữ|12 Hậu Giang, Q6|01012021"


@pytest.fixture
def world(tmp_path):
    clock = ManualClock(datetime(2027, 2, 3, 20, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    w = DemoWorld(tmp_path, clock=clock, catalog="snapshot")
    yield w
    w.close()


def deposit(w, code, lang="vi"):
    c = w.citizen
    dep = c.start_deposit(code, lang)
    c.identify(dep, CARD)
    c.deposit_phone(dep, "0912345678")
    c.deposit_code(dep, w.sms.last_code())
    dep.payment_state = "paid"
    c.reserve_tray(dep)
    c.open_tray(dep)
    w.doors.close_door(dep.tray_id, occupied=True)
    assert dep.finished
    return dep


def test_deposit_promises_a_date_and_tells_the_city(world):
    dep = deposit(world, "1.004873")          # 3 working days
    (row,) = world.store.query("SELECT payload FROM outbox WHERE kind = 'dossier.created'")
    payload = json.loads(row["payload"])
    assert payload["appointment_date"] == "2027-02-16"        # received 11/02 after Tết
    assert payload["received_on"] == "2027-02-11" and payload["processing_days"] == 3
    assert payload["handling_body"] == "Trung tâm Phục vụ hành chính công phường Bình Tây"
    assert payload["handling_level"] == "ward"
    assert world.citizen.status(dep.code)["appointment_date"] == date(2027, 2, 16)
    r = world.citizen.receipt(dep)
    assert r["appointment_date"] == date(2027, 2, 16)


def test_a_city_body_is_named_on_the_receipt(world):
    dep = deposit(world, "2.002307", lang="en")   # handled by the Department of Home Affairs
    r = world.citizen.receipt(dep)
    assert r["handling_body_vi"] == "Sở Nội vụ Thành phố Hồ Chí Minh"
    assert r["handling_body"] == "Ho Chi Minh City Department of Home Affairs"
    assert r["office_lang"] == "Binh Tay Ward Public Administration Service Centre"


@pytest.mark.parametrize("lang, line", [
    ("vi", "Date to collect the result: 12/02/2027"),
    ("en", "Date to collect the result: 12/02/2027"),
    ("zh", "领取结果日期：12/02/2027"),
])
def test_printed_receipt_shows_ward_centre_and_date(world, lang, line):
    dep = deposit(world, "1.001193", lang)
    world.citizen.send_receipts(dep)
    receipt = world.receipts.desk.to_receipt(world.citizen.receipt(dep), txn=dep.txn)
    lines = render_receipt(receipt).lines
    assert "Ngày hẹn trả kết quả: 12/02/2027" in lines
    assert line in lines and (lang == "vi" or label(lang, date(2027, 2, 12)) == line)
    assert "Trung tâm Phục vụ hành chính công phường Bình Tây" in lines
    if lang == "zh":
        assert "平西坊公共行政服务中心" in lines
    assert world.receipts.printed and world.receipts.printed[-1].stat().st_size > 1000


def test_a_later_date_supersedes_the_promise(world):
    dep = deposit(world, "1.001193")
    book = world.appointments
    assert book.current_date(dep.code) == date(2027, 2, 12)
    book.record(dep.code, date(2027, 2, 19), basis="supplement", actor="staff:NV001",
                note="papers to add")
    assert world.citizen.status(dep.code)["appointment_date"] == date(2027, 2, 19)
    history = book.history(dep.code)
    assert [h["basis"] for h in history] == ["received", "supplement"]
    assert history[0]["date"] == "2027-02-12"          # the first promise stays readable


def test_labels_in_three_languages():
    d = date(2027, 2, 12)
    assert label("vi", d) == "Ngày hẹn trả kết quả: 12/02/2027"
    assert label("en", d) == "Date to collect the result: 12/02/2027"
    assert label("zh", d) == "领取结果日期：12/02/2027"


def test_sms_e_receipt_gives_the_date(world):
    dep = deposit(world, "1.001193")
    world.citizen.send_receipts(dep)
    assert "Hen tra ket qua: 12/02/2027" in world.sms.messages[-1][1]
