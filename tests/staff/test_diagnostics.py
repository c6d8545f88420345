"""Technician diagnostics on a real ledger, simulated lock boards, printer and code reader."""
import csv
import json
from datetime import date, datetime

import pytest

from kiosk.models import TrayState as T
from kiosk.services.diagnostics import Diagnostics, DiagnosticsError

from .conftest import board_lock, deposit, journal

TECH = "technician:kt01"


@pytest.fixture
def diag(ledger, clock, doors, bank, tmp_path):
    return Diagnostics(ledger=ledger, clock=clock, data_dir=tmp_path / "data",
                       devices={"lock boards": bank}, doors=doors)


def test_summary_lists_devices_outbox_disk(diag, ledger, doors, clock):
    doors.poll_once()
    ledger.event("test.event", actor="system", subject="x")
    clock.advance(minutes=5)
    figures = {f.name: f for f in diag.summary()}
    assert figures["lockboard:bus-a:0"].ok and figures["lockboard:bus-a:1"].ok
    assert figures["outbox"].value.startswith("1 waiting, oldest 5 min")
    assert figures["dead letters"].ok and figures["disk"].ok
    assert diag.outbox_stats()["oldest_age_s"] == pytest.approx(300, abs=1)
    assert diag.db_size() > 0


def test_board_offline_shows_in_health(diag, doors, sim_bus):
    sim_bus.set_fault(1, "silent")
    doors.poll_once()
    bad = [h for h in diag.device_health() if not h.ok]
    assert [h.device for h in bad] == ["lockboard:bus-a:1"]
    assert "RS485" in bad[0].advice


def test_open_needs_a_reason_and_takes_tray_out_of_use(diag, ledger, doors, sim_bus, profile):
    with pytest.raises(DiagnosticsError):
        diag.open_tray("A03", actor=TECH, reason="  ")
    assert diag.open_tray("A03", actor=TECH, reason="customer says the door sticks") is True
    assert ledger.tray("A03")["state"] == T.OUT_OF_SERVICE.value
    assert journal(ledger, action="door.service_open")[0]["reason"] == \
        "customer says the door sticks"
    with pytest.raises(Exception):             # door still open: resolve refuses
        diag.resolve_tray("A03", actor=TECH, found="empty")
    sim_bus.close_door(*board_lock(profile, "A03"))
    doors.poll_once()
    diag.resolve_tray("A03", actor=TECH, found="empty")
    assert ledger.tray("A03")["state"] == T.EMPTY.value


def test_clear_tampered_with_what_is_inside(diag, ledger, doors, sim_bus, profile):
    code = deposit(ledger, "A10")
    sim_bus.put_item(*board_lock(profile, "A10"))
    doors.poll_once()
    sim_bus.force_open(*board_lock(profile, "A10"))
    doors.poll_once()
    assert ledger.tray("A10")["state"] == T.TAMPERED.value
    sim_bus.close_door(*board_lock(profile, "A10"))
    with pytest.raises(DiagnosticsError):
        diag.resolve_tray("A10", actor=TECH, found="HS000000-NOPE1")
    diag.resolve_tray("A10", actor=TECH, found=code.lower(), reason="paper still inside")
    row = ledger.tray("A10")
    assert row["state"] == T.OCCUPIED_DEPOSIT.value and row["dossier_code"] == code
    last = journal(ledger, subject="A10")[-1]
    assert last["actor"] == TECH and last["reason"] == "paper still inside"


def test_out_of_service_and_back_resolves_incidents(diag, ledger, store, clock):
    diag.out_of_service("A04", actor=TECH, reason="hinge loose")
    with store.write():
        store.execute("INSERT INTO incidents(at, tray_id, kind, detail) VALUES "
                      "('2026-11-27T06:00:00Z', 'A04', 'x', 'y')")
    assert len(diag.incidents()) == 1
    diag.resolve_tray("A04", actor=TECH, found="EMPTY", reason="hinge fixed")
    assert diag.incidents() == []
    assert ledger.tray("A04")["state"] == T.EMPTY.value


def test_export_journal_by_local_dates(diag, ledger, clock, tmp_path):
    clock.set(datetime(2026, 11, 27, 23, 59, tzinfo=clock.zone))
    ledger.event("late.on.27th", actor="system", subject="x")
    clock.advance(minutes=2)                           # 00:01 on the 28th (17:01 UTC)
    ledger.event("early.on.28th", actor="system", subject="x")
    rows = diag.journal_rows(date(2026, 11, 28), date(2026, 11, 28))
    assert [r["action"] for r in rows] == ["early.on.28th"]
    n = diag.export_journal(date(2026, 11, 27), date(2026, 11, 28), tmp_path / "j.csv",
                            actor=TECH)
    with open(tmp_path / "j.csv", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert len(got) == n and got[-1]["action"] == "early.on.28th"
    assert got[0]["hash"] and got[0]["prev_hash"]
    diag.export_journal(date(2026, 11, 28), date(2026, 11, 28), tmp_path / "j.json")
    assert json.loads((tmp_path / "j.json").read_text())[0]["action"] == "early.on.28th"
    with pytest.raises(DiagnosticsError):
        diag.export_journal(date(2026, 11, 28), date(2026, 11, 27), tmp_path / "x.csv")
    assert journal(ledger, action="journal.exported")


def test_test_print_and_read_code(ledger, clock, tmp_path):
    from hardware.codereader import SerialCodeReader
    from hardware.printer import open_printer
    from sim.codereader import CodeReaderSim
    from sim.printer import PrinterSim
    with PrinterSim(tmp_path / "dev" / "printer", tmp_path / "receipts") as psim, \
            CodeReaderSim(tmp_path / "dev" / "codereader") as rsim:
        printer = open_printer("serial", port=psim.path, baud=38400)
        reader = SerialCodeReader(rsim.path, reconnect_s=0.1)
        try:
            diag = Diagnostics(ledger=ledger, clock=clock, data_dir=tmp_path / "data",
                               devices={"printer": printer, "code reader": reader},
                               printer=printer, code_reader=reader)
            assert diag.test_print(TECH) > 0
            assert len(psim.wait_receipts(1)) == 1
            assert reader.wait_connected(5)
            import threading
            threading.Timer(0.2, rsim.show, args=("HS261127-ABCDE",)).start()
            assert diag.read_code(timeout_s=5) == "HS261127-ABCDE"
            assert diag.read_code(timeout_s=0.1) is None
            assert all(h.ok for h in diag.device_health())
            psim.set(paper_end=True)
            bad = [h for h in diag.device_health() if not h.ok]
            assert [h.device for h in bad] == [printer.health().device]
            with pytest.raises(DiagnosticsError):
                diag.test_print(TECH)
        finally:
            reader.close()
            printer.close()


def test_composition_root_health_report_is_used(ledger, clock, tmp_path):
    from hardware.ports import DeviceHealth, DeviceStatus
    report = [DeviceHealth("printer", DeviceStatus.OFFLINE, "could not open /dev/ttyUSB1",
                           "see 'kiosk doctor' for what to check")]
    diag = Diagnostics(ledger=ledger, clock=clock, data_dir=tmp_path, health=lambda: report)
    figures = {f.name: f for f in diag.summary()}
    assert not figures["printer"].ok and "could not open" in figures["printer"].value
