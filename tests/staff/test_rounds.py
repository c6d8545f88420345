"""Round service on a real ledger, lock boards simulated on a pty and the city simulator."""
import json
from datetime import datetime

import pytest

from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.rounds import RoundError

from .conftest import board_lock, city_sms, deposit, journal, outbox

ACTOR = "staff:nv01"


def close(sim_bus, profile, doors, tray, *, item=None):
    board, lock = board_lock(profile, tray)
    if item is True:
        sim_bus.put_item(board, lock)
    elif item is False:
        sim_bus.remove_item(board, lock)
    sim_bus.close_door(board, lock)
    doors.poll_once()


def test_round_label_and_next(rounds, clock):
    assert rounds.round_label() == "13:30"            # 13:25
    assert rounds.next_round() == datetime(2026, 11, 27, 13, 30, tzinfo=clock.zone)
    clock.set(datetime(2026, 11, 27, 22, 0, tzinfo=clock.zone))
    assert rounds.next_round() == datetime(2026, 11, 28, 8, 0, tzinfo=clock.zone)


def test_collect_by_scan_and_by_tap(rounds, ledger, doors, sim_bus, profile):
    codes = {}
    for tray in ("A01", "A09"):
        codes[tray] = deposit(ledger, tray)
        sim_bus.put_item(*board_lock(profile, tray))
    doors.poll_once()
    assert [d["tray"] for d in rounds.overview()["deposits"]] == ["A01", "A09"]
    run = rounds.begin(ACTOR)
    step = rounds.open_next(run, "collect")
    assert step.tray == "A01" and step.opened and step.occupied is True
    assert ledger.tray("A01")["state"] == T.OPEN.value
    with pytest.raises(RoundError) as e:
        rounds.confirm_taken(run, step, scanned=codes["A09"])
    assert e.value.reason == "code.mismatch"
    rounds.confirm_taken(run, step, scanned=codes["A01"].lower())
    close(sim_bus, profile, doors, "A01", item=False)
    step = rounds.open_next(run, "collect")
    assert step.tray == "A09"
    rounds.confirm_taken(run, step)
    close(sim_bus, profile, doors, "A09", item=False)
    assert rounds.open_next(run, "collect") is None
    for tray, code in codes.items():
        assert ledger.dossier(code)["state"] == D.COLLECTED.value
        assert ledger.tray(tray)["state"] == T.EMPTY.value
        moves = [(r["from_state"], r["to_state"]) for r in journal(ledger, subject=code)
                 if r["action"] == "dossier.state"]
        assert moves[-1] == ("DEPOSITED", "COLLECTED")
    assert [c["confirmed"] for c in run.collected] == ["scanned", "tapped"]
    collected = [json.loads(r["payload"]) for r in outbox(ledger, "dossier.state")
                 if json.loads(r["payload"])["to"] == "COLLECTED"]
    assert {p["subject"] for p in collected} == set(codes.values())


def test_deposit_missing_is_an_incident(rounds, ledger, doors, sim_bus, profile):
    code = deposit(ledger, "A02")                     # on record, but nothing in the tray
    doors.poll_once()
    run = rounds.begin(ACTOR)
    step = rounds.open_next(run, "collect")
    assert step.sensor_says_empty
    inc = rounds.report_problem(run, step, found="empty")
    assert inc["kind"] == "deposit.missing"
    assert ledger.tray("A02")["state"] == T.OUT_OF_SERVICE.value
    assert ledger.dossier(code)["state"] == D.DEPOSITED.value
    rows = ledger.store.query("SELECT * FROM incidents")
    assert len(rows) == 1 and rows[0]["tray_id"] == "A02" and rows[0]["actor"] == ACTOR
    assert outbox(ledger, "incident.recorded")
    close(sim_bus, profile, doors, "A02")
    assert rounds.open_next(run, "collect") is None


def test_item_without_record_is_an_incident(rounds, ledger, doors, sim_bus, profile):
    sim_bus.put_item(*board_lock(profile, "A05"))
    doors.poll_once()
    run = rounds.begin(ACTOR)
    assert [i["kind"] for i in run.incidents] == ["item.no_record"]
    assert ledger.tray("A05")["state"] == T.OUT_OF_SERVICE.value
    assert len(rounds.overview()["incidents"]) == 1


def test_load_from_city_results_sends_sms_with_deadline(rounds, ledger, doors, sim_bus,
                                                        profile, city, results_inbox,
                                                        sms_router, clock):
    rounds.results, rounds.sms = results_inbox, sms_router
    city.db.add_result(dossier_code="HS261120-AB3CD", kiosk_id="TEST-STAFF",
                       procedure_code="2.000635", phone="0912345678",
                       citizen_name="Trần Thị Mai")
    assert results_inbox.pull() == 1
    assert [r["code"] for r in rounds.overview()["results"]] == ["HS261120-AB3CD"]
    run = rounds.begin(ACTOR)
    info = rounds.lookup("hs261120-ab3cd")
    assert info["source"] == "results" and info["phone_masked"] == "*******678"
    clock.advance(minutes=7)                          # 13:32
    step = rounds.start_load(run, "HS261120-AB3CD")
    assert ledger.tray(step.tray)["state"] == T.OPEN.value
    got = []
    rounds.add_listener(lambda kind, s: got.append(kind))
    close(sim_bus, profile, doors, step.tray, item=True)
    assert got == ["load.done"] and step.status == "loaded" and step.sms == "city"
    d = ledger.dossier("HS261120-AB3CD")
    assert d["state"] == D.RESULT_LOADED.value and d["tray_id"] == step.tray
    assert d["deadline_at"] == "2026-11-30T06:32:00Z"
    assert ledger.tray(step.tray)["state"] == T.OCCUPIED_RESULT.value
    sms = city_sms(city)
    assert len(sms) == 1 and sms[0]["to_phone"] == "0912345678"
    assert "13:32 ngay 30/11/2026" in sms[0]["text"] and step.tray in sms[0]["text"]
    assert results_inbox.get("HS261120-AB3CD")["phone"] is None     # scrubbed
    assert results_inbox.waiting() == []
    # the journal says it was sent, with the masked number only
    sent = journal(ledger, action="sms.sent")
    assert "0912345678" not in sent[0]["data"] and "*******678" in sent[0]["data"]


def test_manual_load_offline_needs_the_phone(rounds, ledger, doors, sim_bus, profile, clock):
    run = rounds.begin(ACTOR)
    with pytest.raises(RoundError) as e:
        rounds.start_load(run, "HS261101-ZZ9XY")
    assert e.value.reason == "phone.needed"
    with pytest.raises(RoundError) as e:
        rounds.start_load(run, "HS261101-ZZ9XY", phone="12345")
    assert e.value.reason == "phone.invalid"
    step = rounds.start_load(run, "HS261101-ZZ9XY", phone="0912 345 678", size="L",
                             procedure="Chứng thực bản sao")
    assert step.tray == "A17"
    close(sim_bus, profile, doors, step.tray, item=True)
    assert step.status == "loaded" and step.sms == "outbox"
    d = ledger.dossier("HS261101-ZZ9XY")
    assert d["state"] == D.RESULT_LOADED.value and d["phone_masked"] == "*******678"
    req = [json.loads(r["payload"]) for r in outbox(ledger, "sms.request")]
    assert req[0]["dossier"] == "HS261101-ZZ9XY" and "ngay 30/11/2026" in req[0]["text"]
    created = json.loads(outbox(ledger, "dossier.created")[0]["payload"])
    assert created["phone"] == "0912345678"           # the city learns the number


def test_load_closed_empty_is_not_loaded(rounds, ledger, doors, sim_bus, profile):
    run = rounds.begin(ACTOR)
    step = rounds.start_load(run, "HS261101-QQ2WE", phone="0912345678")
    close(sim_bus, profile, doors, step.tray, item=False)
    assert step.status == "empty"
    assert ledger.tray(step.tray)["state"] == T.EMPTY.value
    assert ledger.dossier("HS261101-QQ2WE")["state"] == D.COLLECTED.value


def load(rounds, run, sim_bus, profile, doors, code):
    step = rounds.start_load(run, code, phone="0912345678")
    close(sim_bus, profile, doors, step.tray, item=True)
    assert step.status == "loaded"
    return step


def test_expiry_across_midnight_exact_deadline(rounds, ledger, doors, sim_bus, profile, clock):
    clock.set(datetime(2026, 11, 27, 23, 50, tzinfo=clock.zone))
    run = rounds.begin(ACTOR)
    step = load(rounds, run, sim_bus, profile, doors, "HS261120-MN4PQ")
    first = json.loads(outbox(ledger, "sms.request")[0]["payload"])["text"]
    assert "23:50 ngay 30/11/2026" in first
    clock.advance(minutes=15)                         # 00:05 on the 28th: nothing due
    assert rounds.run_expiry() == {"reminded": [], "expired": []}
    clock.set(datetime(2026, 11, 29, 23, 49, tzinfo=clock.zone))
    assert rounds.run_expiry() == {"reminded": [], "expired": []}
    clock.advance(minutes=1)                          # 24 h before the deadline
    assert rounds.run_expiry() == {"reminded": ["HS261120-MN4PQ"], "expired": []}
    assert rounds.run_expiry() == {"reminded": [], "expired": []}   # once only
    reminder = json.loads(outbox(ledger, "sms.request")[-1]["payload"])
    assert reminder["template"] == "result.reminder"
    assert "Han nhan: 23:50 ngay 30/11/2026" in reminder["text"]
    assert ledger.dossier("HS261120-MN4PQ")["reminder_sent_at"] == "2026-11-29T16:50:00Z"
    clock.set(datetime(2026, 11, 30, 23, 49, 59, tzinfo=clock.zone))
    assert rounds.run_expiry()["expired"] == []
    clock.advance(1)
    assert rounds.run_expiry()["expired"] == ["HS261120-MN4PQ"]
    assert ledger.dossier("HS261120-MN4PQ")["state"] == D.EXPIRED.value
    assert ledger.tray(step.tray)["state"] == T.EXPIRED.value
    assert [e["code"] for e in rounds.overview()["expired"]] == ["HS261120-MN4PQ"]


def test_take_back_expired_tells_where_to_collect(rounds, ledger, doors, sim_bus, profile,
                                                  clock):
    run = rounds.begin(ACTOR)
    step = load(rounds, run, sim_bus, profile, doors, "HS261120-RT5YU")
    clock.advance(days=3)
    rounds.run_expiry()
    run2 = rounds.begin(ACTOR)
    take = rounds.open_next(run2, "retrieve")
    assert take.tray == step.tray and take.occupied is True
    rounds.confirm_taken(run2, take, scanned="HS261120-RT5YU")
    close(sim_bus, profile, doors, take.tray, item=False)
    assert ledger.dossier("HS261120-RT5YU")["state"] == D.RETURNED_TO_OFFICE.value
    assert ledger.tray(take.tray)["state"] == T.EMPTY.value
    msg = json.loads(outbox(ledger, "sms.request")[-1]["payload"])
    assert msg["template"] == "result.returned"
    assert "107 Cao Van Lau" in msg["text"] and "phuong Binh Tay" in msg["text"]
    report = rounds.finish(run2, print_report=False)
    assert report["returned"] == [{"code": "HS261120-RT5YU", "tray": take.tray,
                                   "confirmed": "scanned"}]
    ev = json.loads(outbox(ledger, "round.report")[-1]["payload"])
    assert ev["data"]["returned"][0]["code"] == "HS261120-RT5YU"
    # the slip adds the day's totals, from the same figures as the office report
    assert (report["day"]["expired"], report["day"]["returned_to_office"]) == (1, 1)
    assert ev["data"]["day"]["returned_to_office"] == 1
    from kiosk.services.rounds.report import report_lines
    texts = [t for t, *_ in report_lines(report, clock.zone)]
    day = texts.index(next(t for t in texts if t.startswith("Trong ngày")))
    assert texts[day + 2].startswith("quá hạn 1 · mang về 1 ·")
    assert texts[day + 3] == "lệ phí 0 đ"


def test_report_printed_on_the_receipt_printer(rounds, ledger, tmp_path):
    from hardware.printer import open_printer
    from sim.printer import PrinterSim
    with PrinterSim(tmp_path / "dev" / "printer", tmp_path / "receipts") as sim:
        printer = open_printer("serial", port=sim.path, baud=38400)
        try:
            rounds.printer = printer
            run = rounds.begin(ACTOR)
            run.collected.append({"code": "HS261120-AAAAA", "tray": "A01",
                                  "confirmed": "tapped"})
            report = rounds.finish(run)
            assert report["printed"] is True
            assert len(sim.wait_receipts(1)) == 1
        finally:
            printer.close()


def test_expiry_thread_expires_in_the_background(rounds, ledger, doors, sim_bus, profile,
                                                 clock):
    import time
    run = rounds.begin(ACTOR)
    step = load(rounds, run, sim_bus, profile, doors, "HS261120-BG8TH")
    clock.advance(days=3)
    rounds.start_expiry(every_s=0.02)
    try:
        end = time.monotonic() + 10
        while ledger.dossier("HS261120-BG8TH")["state"] != D.EXPIRED.value and \
                time.monotonic() < end:
            time.sleep(0.02)
    finally:
        rounds.close()
    assert ledger.dossier("HS261120-BG8TH")["state"] == D.EXPIRED.value
    assert ledger.tray(step.tray)["state"] == T.EXPIRED.value
    rounds.close()                                     # idempotent


def test_build_staff_services_from_the_kiosk_services(ledger, doors, clock, profile, bank):
    import types
    from kiosk.services.rounds import build_staff_services
    kiosk = types.SimpleNamespace(cfg=profile, clock=clock, ledger=ledger, doors=doors,
                                  lock_bank=bank, printer=None, scanner=None,
                                  code_reader=None, modem=None, sync=None,
                                  device_health=bank.health)
    staff = build_staff_services(kiosk, expiry_every_s=None)
    try:
        assert staff.staff_auth.secrets.path == profile.path(profile.secrets.staff_totp_file)
        assert staff.rounds.expiry_days == profile.rounds.expiry_days
        assert staff.rounds.office == profile.kiosk.office
        assert [h.device for h in staff.diagnostics.device_health()] == \
            ["lockboard:bus-a:0", "lockboard:bus-a:1"]
    finally:
        staff.close()
