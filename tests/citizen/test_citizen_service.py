"""The citizen use cases on a real SQLite ledger, with in-process device stand-ins."""
import pytest
from PIL import Image

from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.citizen import CitizenError, fold, parse_id_text
from ui.demo_world import DemoWorld

PHONE = "0912345678"


@pytest.fixture
def world(tmp_path):
    w = DemoWorld(tmp_path)
    yield w
    w.close()


def verified_deposit(w, code="1.001193"):
    dep = w.citizen.start_deposit(code)
    w.citizen.identify(dep, "079123456789|123456789|Trần Thị Mai|01011960|Nữ|Q6|01012021")
    w.citizen.deposit_phone(dep, "0912 345 678")
    w.citizen.deposit_code(dep, w.sms.last_code())
    return dep


def test_fold_and_search_without_marks(world):
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    cat = world.citizen.catalog
    assert [p.code for p in cat.search("dang ky khai sinh")] == ["1.001193"]
    assert [p.code for p in cat.search("KẾT HÔN")] == ["1.000894"]
    assert {p.code for p in cat.search("", category="Hộ tịch")} == {"1.001193", "1.000894"}
    assert cat.search("construction", lang="en")[0].code == "1.013225"


def test_id_parsing():
    card = "079123456789|123456789|Trần Thị Mai|01011960|Nữ|12 Hậu Giang, Q6|01012021"
    assert parse_id_text(card) == {"id_number": "079123456789", "name": "Trần Thị Mai",
                                   "address": "12 Hậu Giang, Q6"}
    with pytest.raises(CitizenError) as bad_qr:
        parse_id_text("079123456789|123456789|Trần Thị Mai|x")
    assert bad_qr.value.reason == "id.unreadable"
    assert parse_id_text(" 0791 2345 6789 ")["id_number"] == "079123456789"
    with pytest.raises(CitizenError) as e:
        parse_id_text("12345")
    assert e.value.reason == "id.invalid"


def test_phone_is_validated(world):
    with pytest.raises(CitizenError) as e:
        world.citizen.phone("0123")
    assert e.value.reason == "phone.invalid"


def test_deposit_recorded_only_when_door_closes(world):
    w = world
    dep = verified_deposit(w)
    assert w.citizen.start_payment(dep)["state"] == "free"
    tray = w.citizen.reserve_tray(dep)
    assert w.ledger.tray(tray)["state"] == T.RESERVED.value
    assert w.citizen.open_tray(dep)
    assert w.ledger.dossier(dep.code)["state"] == D.DRAFT.value
    w.doors.close_door(tray, occupied=True)
    d = w.ledger.dossier(dep.code)
    assert d["state"] == D.DEPOSITED.value and d["tray_id"] == tray
    assert w.ledger.tray(tray)["state"] == T.OCCUPIED_DEPOSIT.value
    assert d["phone_masked"] == "*******678" and "0912345678" not in str(d)
    out = w.citizen.send_receipts(dep)
    assert out == {"printed": True, "sms": True, "code": dep.code}
    assert dep.code in w.sms.messages[-1][1]


def test_empty_tray_closed_is_not_a_deposit(world):
    w = world
    dep = verified_deposit(w)
    tray = w.citizen.reserve_tray(dep)
    w.citizen.open_tray(dep)
    w.doors.close_door(tray, occupied=False)
    assert dep.closed_empty and not dep.finished
    assert w.ledger.tray(tray)["state"] == T.RESERVED.value
    w.citizen.cancel(dep, "citizen backed out")
    assert w.ledger.tray(tray)["state"] == T.EMPTY.value
    assert w.ledger.dossiers(state=D.CANCELLED)[0]["tray_id"] is None
    assert dep.phone is None and dep.id_number is None


def test_no_free_tray(world):
    w = world
    for t in w.ledger.trays(size="L"):
        w.ledger.move_tray(t["id"], T.OUT_OF_SERVICE, actor="tech", reason="test")
    dep = verified_deposit(w, "1.013225")
    with pytest.raises(CitizenError) as e:
        w.citizen.reserve_tray(dep)
    assert e.value.reason == "tray.none_free"


def test_payment_pending_then_paid_and_offline_fallback(world):
    w = world
    dep = verified_deposit(w, "1.001612")
    pay = w.citizen.start_payment(dep)
    assert pay["state"] == "pending" and "A000000727" in pay["payload"]
    assert w.citizen.payment_state(dep) == "pending"
    w.payments.mark_paid()
    assert w.citizen.payment_state(dep) == "paid"
    w.payments.offline = True
    dep2 = verified_deposit(w, "1.001612")
    assert w.citizen.start_payment(dep2)["state"] == "at_counter"


def test_printer_out_of_paper_sms_only(world):
    from hardware.ports import PrinterState
    w = world
    dep = verified_deposit(w)
    w.citizen.reserve_tray(dep)
    w.citizen.open_tray(dep)
    w.doors.close_door(dep.tray_id)
    w.receipts.paper = PrinterState.PAPER_OUT
    assert w.citizen.send_receipts(dep) == {"printed": False, "sms": True, "code": dep.code}


def test_pickup_with_id_check(world):
    w = world
    a = w.load_result(PHONE)
    b = w.load_result(PHONE, needs_id_check=True, id_number="079123456789")
    w.load_result("0987654321")
    found = w.citizen.results_for(PHONE)
    assert {d["code"] for d in found} == {a["code"], b["code"]}
    with pytest.raises(CitizenError) as e:
        w.citizen.check_id_for(b, "079000000000")
    assert e.value.reason == "id.mismatch"
    w.citizen.check_id_for(b, "079123456789")
    for d in found:
        d["_id_checked"] = True
        assert w.citizen.open_result(d, "t1")
        w.doors.close_door(d["tray_id"], occupied=False)
        w.citizen.finish_pickup(d, "t1")
        assert w.ledger.dossier(d["code"])["state"] == D.PICKED_UP.value
        assert w.ledger.tray(d["tray_id"])["state"] == T.EMPTY.value


def test_status_and_rating(world):
    w = world
    a = w.load_result(PHONE)
    assert w.citizen.status(a["code"].lower())["state"] == D.RESULT_LOADED.value
    assert [s["code"] for s in w.citizen.statuses_for(PHONE)] == [a["code"]]
    with pytest.raises(CitizenError):
        w.citizen.status("HS000000-XXXXX")
    w.citizen.rate(5, a["code"])
    with pytest.raises(CitizenError):
        w.citizen.rate(9)


def test_online_submission(world):
    w = world
    dep = verified_deposit(w, "1.001193")
    dep.pages = [Image.new("RGB", (200, 280), "white")]
    code = w.citizen.submit_online(dep)
    assert w.ledger.dossier(code)["state"] == D.SUBMITTED_ONLINE.value


from hypothesis import given, settings, strategies as st  # noqa: E402

from kiosk.services.citizen import Catalog  # noqa: E402

WORDS = ["Đăng", "ký", "khai", "sinh", "kết", "hôn", "chứng", "thực", "bản", "sao",
         "xây", "dựng", "nhà", "ở", "hộ", "kinh", "doanh", "cư", "trú", "Điều", "chỉnh"]


@settings(max_examples=60, deadline=None)
@given(name=st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
       pick=st.data())
def test_any_part_of_a_name_finds_it_with_or_without_marks(name, pick):
    catalog = Catalog([{"code": "P-1", "names": {"vi": name}, "category": "Khác"},
                       {"code": "P-2", "names": {"vi": "Thủ tục khác hẳn"}, "category": "Khác"}])
    words = name.split()
    i = pick.draw(st.integers(0, len(words) - 1))
    j = pick.draw(st.integers(i + 1, len(words)))
    query = " ".join(words[i:j])
    for typed in (query, fold(query), fold(query).upper()):
        assert "P-1" in [p.code for p in catalog.search(typed)]


@pytest.mark.parametrize("papers_left_in", [False, True])
def test_backing_out_with_the_door_open(world, papers_left_in):
    w = world
    dep = verified_deposit(w)
    tray = w.citizen.reserve_tray(dep)
    w.citizen.open_tray(dep)
    code = dep.code
    w.citizen.cancel(dep, "citizen backed out")
    assert dep.phone is None                                    # wiped at once
    assert w.ledger.dossier(code)["state"] == D.DRAFT.value     # until the door shuts
    w.citizen.cancel(dep, "idle")                               # idempotent
    w.doors.close_door(tray, occupied=papers_left_in)
    if papers_left_in:                                          # paper is never lost
        assert w.ledger.dossier(code)["state"] == D.DEPOSITED.value
        assert w.ledger.tray(tray)["state"] == T.OCCUPIED_DEPOSIT.value
    else:
        assert w.ledger.dossier(code)["state"] == D.CANCELLED.value
        assert w.ledger.tray(tray)["state"] == T.EMPTY.value


@pytest.mark.parametrize("took_it", [True, False])
def test_leaving_an_opened_result_without_finish(world, took_it):
    w = world
    d = w.load_result(PHONE)
    d["_id_checked"] = True
    assert w.citizen.open_result(d, "t-pick")
    w.citizen.leave_pickup(d, "t-pick")                  # Home pressed, door still open
    assert w.ledger.tray(d["tray_id"])["state"] == T.OPEN.value
    w.doors.close_door(d["tray_id"], occupied=not took_it)
    if took_it:
        assert w.ledger.dossier(d["code"])["state"] == D.PICKED_UP.value
        assert w.ledger.tray(d["tray_id"])["state"] == T.EMPTY.value
    else:                                                # still inside: it waits again
        assert w.ledger.dossier(d["code"])["state"] == D.RESULT_LOADED.value
        assert w.ledger.tray(d["tray_id"])["state"] == T.OCCUPIED_RESULT.value


def test_status_by_phone_is_one_query_on_the_phone_index(world):
    w = world
    dep = verified_deposit(w)
    w.citizen.reserve_tray(dep)
    draft_only = verified_deposit(w)            # a draft is not a status to show
    w.citizen.reserve_tray(draft_only)
    w.ledger.move_dossier(dep.code, D.DEPOSITED, actor="test", reason="test")
    got = w.citizen.statuses_for("+84 912 345 678")
    assert [s["code"] for s in got] == [dep.code]
    assert set(got[0]) == {"code", "state", "procedure", "updated_at", "tray",
                           "appointment_date"}
    assert got[0]["appointment_date"] == w.appointments.current_date(dep.code)
    assert got[0]["state"] == D.DEPOSITED.value
    plan = " ".join(r[3] for r in w.store.conn.execute(
        "EXPLAIN QUERY PLAN " + w.ledger._STATUS_SQL, ("x", "DRAFT", "CANCELLED")))
    assert "dossiers_phone" in plan
