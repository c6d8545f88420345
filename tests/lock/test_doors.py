"""DoorService on a real ledger (SQLite in tmp_path) and simulated boards on a pty."""
import json
import threading

import pytest

from hardware.ports import DoorState
from kiosk.models import IllegalTransition, TrayState as T
from kiosk.services.doors import BOARD_OFFLINE_NOTE, DoorError, DoorService, TrayBusy

from .conftest import board_lock


def reserve(ledger, tray, txn):
    return ledger.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit", txn=txn,
                            purpose="deposit")


def journal(ledger, subject=None):
    rows = ledger.store.query("SELECT * FROM journal ORDER BY seq")
    return [r for r in rows if subject is None or r["subject"] == subject]


def outbox_kinds(ledger):
    return [r["kind"] for r in ledger.store.query("SELECT kind FROM outbox ORDER BY id")]


def heard(doors):
    got = []
    doors.add_listener(lambda tray, door, occ: got.append((tray, door, occ)))
    return got


def test_open_commits_intent_then_confirms(doors, ledger, sim_bus, profile):
    got = heard(doors)
    reserve(ledger, "A09", "txn-1")
    assert doors.open("A09", actor="citizen", reason="deposit", txn="txn-1") is True
    assert ledger.tray("A09")["state"] == T.OPEN.value
    moves = [(r["from_state"], r["to_state"], r["txn"]) for r in journal(ledger, "A09")
             if r["action"] == "tray.state"]
    assert moves[-2:] == [("RESERVED", "UNLOCKING", "txn-1"), ("UNLOCKING", "OPEN", "txn-1")]
    assert sim_bus.unlocks() == [board_lock(profile, "A09")]
    assert got == [("A09", DoorState.OPEN, False)]


def test_close_is_heard_with_occupancy(doors, ledger, sim_bus):
    got = heard(doors)
    reserve(ledger, "A10", "txn-2")
    doors.open("A10", actor="citizen", reason="deposit", txn="txn-2")
    doors.poll_once()
    assert ledger.tray("A10")["state"] == T.OPEN.value        # no alarm: we opened it
    sim_bus.put_item(0, 10)
    sim_bus.close_door(0, 10)
    doors.poll_once()
    assert got[-1] == ("A10", DoorState.LOCKED, True)
    closed = [r for r in journal(ledger, "A10") if r["action"] == "door.closed"]
    assert len(closed) == 1 and closed[0]["txn"] == "txn-2"
    assert json.loads(closed[0]["data"]) == {"occupied": True}
    # the deposit/pickup service decides the new state; the door service only reports
    assert ledger.tray("A10")["state"] == T.OPEN.value
    doors.poll_once()
    assert len(got) == 2                                       # heard once


def test_stuck_latch_is_reported_and_the_tray_goes_back(doors, ledger, sim_bus):
    sim_bus.set_fault(0, "stuck_latch")
    reserve(ledger, "A03", "txn-3")
    assert doors.open("A03", actor="citizen", reason="deposit", txn="txn-3") is False
    tray = ledger.tray("A03")
    assert tray["state"] == T.RESERVED.value and tray["txn"] == "txn-3"
    events = [r for r in journal(ledger, "A03") if r["action"] == "door.not_opened"]
    assert len(events) == 1 and events[0]["reason"] == "unlock sent, door did not open"
    assert "door.not_opened" in outbox_kinds(ledger)
    assert sim_bus.unlocks() == [(0, 3)]                      # pulsed once, never again
    doors.poll_once()
    assert ledger.tray("A03")["state"] == T.RESERVED.value


def test_door_forced_open_raises_the_alarm_in_one_poll(doors, ledger, sim_bus):
    ledger.move_tray("A02", T.RESERVED, actor="staff", reason="load", txn="t")
    ledger.move_tray("A02", T.UNLOCKING, actor="staff", reason="load", txn="t")
    ledger.move_tray("A02", T.OPEN, actor="staff", reason="load", txn="t")
    ledger.move_tray("A02", T.OCCUPIED_RESULT, actor="staff", reason="load", txn="t")
    doors.poll_once()
    alerts = []
    doors.add_alert_listener(lambda tray, kind: alerts.append((tray, kind)))
    got = heard(doors)
    sim_bus.force_open(0, 2)
    doors.poll_once()                                          # one poll period
    assert ledger.tray("A02")["state"] == T.TAMPERED.value
    alarm = [r for r in journal(ledger, "A02") if r["action"] == "alarm.tamper"]
    assert len(alarm) == 1
    kinds = outbox_kinds(ledger)
    assert kinds[-2:] == ["alarm.tamper", "tray.state"]        # one transaction, in order
    assert alerts == [("A02", "alarm.tamper")]
    assert got == [("A02", DoorState.TAMPERED, False)]
    assert doors.door("A02") == DoorState.TAMPERED
    doors.poll_once()
    assert len([r for r in journal(ledger) if r["action"] == "alarm.tamper"]) == 1
    # out of use until a technician clears it
    assert doors.free_tray("S") != "A02"
    with pytest.raises(IllegalTransition):
        doors.open("A02", actor="citizen", reason="pickup", txn="t2")
    assert sim_bus.unlocks() == []
    with pytest.raises(DoorError, match="close it"):
        doors.resolve("A02", T.OCCUPIED_RESULT, actor="tech:01", reason="result still there")
    sim_bus.close_door(0, 2)
    doors.resolve("A02", T.OCCUPIED_RESULT, actor="tech:01", reason="result still there")
    doors.poll_once()
    assert ledger.tray("A02")["state"] == T.OCCUPIED_RESULT.value


def test_poller_thread_catches_a_forced_door(ledger, bank, clock, sim_bus):
    alarmed = threading.Event()
    with DoorService(ledger, bank, clock, poll_s=0.2, busy_poll_s=0.1) as doors:
        doors.add_alert_listener(lambda tray, kind: kind == "alarm.tamper" and alarmed.set())
        sim_bus.force_open(1, 8)                               # A24
        assert alarmed.wait(10)
    assert ledger.tray("A24")["state"] == T.TAMPERED.value


def test_opened_door_is_not_tamper_even_after_the_state_moves_on(doors, ledger, sim_bus):
    """Pickup: the service may record EMPTY before the citizen shuts the door."""
    reserve(ledger, "A11", "txn-4")
    doors.open("A11", actor="citizen", reason="pickup", txn="txn-4")
    ledger.move_tray("A11", T.EMPTY, actor="citizen", reason="result taken")
    doors.poll_once()
    assert ledger.tray("A11")["state"] == T.EMPTY.value
    sim_bus.close_door(0, 11)
    doors.poll_once()
    sim_bus.force_open(0, 11)                                  # opened again, no command
    doors.poll_once()
    assert ledger.tray("A11")["state"] == T.TAMPERED.value


def test_board_offline_marks_its_trays_fault_and_back(doors, ledger, sim_bus):
    got = heard(doors)
    reserve(ledger, "A18", "txn-5")
    sim_bus.set_fault(1, "silent")
    doors.poll_once()
    board1 = [f"A{n}" for n in range(17, 25)]
    states = {t: ledger.tray(t)["state"] for t in board1}
    assert set(states.values()) == {T.FAULT.value}
    assert ledger.tray("A18")["note"] == BOARD_OFFLINE_NOTE + "RESERVED"
    assert ledger.tray("A01")["state"] == T.EMPTY.value
    assert doors.free_tray("L") is None                        # L trays are all on board 1
    assert ("A17", DoorState.UNKNOWN, None) in got
    sim_bus.set_fault(1, "silent", on=False)
    doors.poll_once()
    assert ledger.tray("A18")["state"] == T.RESERVED.value
    assert ledger.tray("A18")["txn"] == "txn-5" and ledger.tray("A18")["note"] is None
    assert ledger.tray("A17")["state"] == T.EMPTY.value
    assert doors.free_tray("L") == "A17"


def test_unlock_on_a_dead_board(doors, ledger, sim_bus):
    reserve(ledger, "A20", "txn-6")
    sim_bus.set_fault(1, "silent")
    assert doors.open("A20", actor="citizen", reason="deposit", txn="txn-6") is False
    tray = ledger.tray("A20")
    assert tray["state"] == T.FAULT.value and tray["note"] == BOARD_OFFLINE_NOTE + "RESERVED"
    assert [r["reason"] for r in journal(ledger, "A20")
            if r["action"] == "door.not_opened"][0].startswith("unlock not confirmed")
    sim_bus.set_fault(1, "silent", on=False)
    doors.poll_once()
    assert ledger.tray("A20")["state"] == T.RESERVED.value


def test_door_left_open_alert_once(doors, ledger, clock):
    alerts = []
    doors.add_alert_listener(lambda tray, kind: alerts.append((tray, kind)))
    reserve(ledger, "A12", "txn-7")
    doors.open("A12", actor="citizen", reason="deposit", txn="txn-7")
    clock.advance(119)
    doors.poll_once()
    assert alerts == []
    clock.advance(2)
    doors.poll_once()
    doors.poll_once()
    assert alerts == [("A12", "door.left_open")]
    rows = [r for r in journal(ledger, "A12") if r["action"] == "door.left_open"]
    assert len(rows) == 1 and rows[0]["txn"] == "txn-7"


def test_tray_reserved_for_another_transaction(doors, ledger, sim_bus):
    reserve(ledger, "A04", "txn-a")
    with pytest.raises(TrayBusy, match="another transaction"):
        doors.open("A04", actor="citizen", reason="deposit", txn="txn-b")
    assert sim_bus.unlocks() == []
    assert ledger.tray("A04")["state"] == T.RESERVED.value


def test_empty_tray_is_never_unlocked_without_a_reservation(doors, ledger, sim_bus):
    with pytest.raises(IllegalTransition):
        doors.open("A05", actor="citizen", reason="deposit", txn="txn-c")
    assert sim_bus.unlocks() == [] and ledger.tray("A05")["state"] == T.EMPTY.value


def test_two_openers_one_tray_one_pulse(doors, ledger, sim_bus):
    reserve(ledger, "A06", "txn-d")
    gate = threading.Barrier(2)
    outcomes = []

    def go():
        gate.wait()
        try:
            outcomes.append(doors.open("A06", actor="citizen", reason="deposit",
                                       txn="txn-d"))
        except (TrayBusy, IllegalTransition) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) in (["TrayBusy", "True"], ["IllegalTransition", "True"])
    assert sim_bus.unlocks() == [(0, 6)]


def test_free_tray_hands_out_different_trays(doors, ledger, sim_bus):
    first, second = doors.free_tray("M"), doors.free_tray("M")
    assert first == "A09" and second == "A10"
    sim_bus.force_open(0, 11)
    doors.poll_once()                      # A11 tampered: never offered
    assert ledger.tray("A11")["state"] == T.TAMPERED.value
    assert doors.free_tray("M") == "A12"


def test_service_open_of_an_unknown_tray(doors, ledger, sim_bus):
    reserve(ledger, "A07", "txn-e")
    ledger.move_tray("A07", T.UNKNOWN, actor="system:recovery", reason="test")
    with pytest.raises(IllegalTransition):
        doors.open("A07", actor="citizen", reason="deposit", txn="txn-f")
    assert doors.service_open("A07", actor="tech:01", reason="check after restart",
                              txn="svc-1") is True
    doors.poll_once()
    assert ledger.tray("A07")["state"] == T.UNKNOWN.value       # not tamper: we opened it
    sim_bus.close_door(0, 7)
    doors.poll_once()
    doors.resolve("A07", T.EMPTY, actor="tech:01", reason="found empty")
    assert ledger.tray("A07")["state"] == T.EMPTY.value
    actions = [r["action"] for r in journal(ledger, "A07")]
    assert actions[-3:] == ["door.service_open", "door.closed", "tray.state"]


def test_wait_closed_with_the_poller_running(ledger, bank, clock, sim_bus):
    with DoorService(ledger, bank, clock, poll_s=0.5, busy_poll_s=0.05, confirm_s=0.3,
                     confirm_poll_s=0.05) as doors:
        reserve(ledger, "A13", "txn-w")
        assert doors.open("A13", actor="staff:07", reason="collect", txn="txn-w")
        assert doors.wait_closed("A13", timeout_s=0.01) is None      # still open
        sim_bus.close_door(0, 13)
        reading = doors.wait_closed("A13", timeout_s=10)
        assert reading is not None and reading.door == DoorState.LOCKED


def test_out_of_service_and_back(doors, ledger, sim_bus):
    with pytest.raises(DoorError, match="reason"):
        doors.take_out_of_service("A01", actor="tech:01", reason=" ")
    doors.take_out_of_service("A01", actor="tech:01", reason="hinge broken")
    assert doors.free_tray("S") == "A02"
    sim_bus.force_open(0, 1)                   # the technician works on it: no alarm
    doors.poll_once()
    assert ledger.tray("A01")["state"] == T.OUT_OF_SERVICE.value
    sim_bus.close_door(0, 1)
    doors.resolve("A01", T.EMPTY, actor="tech:01", reason="hinge replaced")
    doors.poll_once()
    assert ledger.tray("A01")["state"] == T.EMPTY.value
