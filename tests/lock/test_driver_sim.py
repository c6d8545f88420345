"""SerialLockBank against simulated boards on a real pseudo-terminal, fault by fault."""

import pytest

from hardware.lockboard.codec import encode_status, encode_unlock
from hardware.lockboard.driver import BoardOffline, BusSpec, SerialLockBank
from hardware.lockboard.transport import TransportError
from hardware.ports import DeviceStatus, DoorState, LockBank
from sim.lockboard import SimLockBus

from .conftest import board_lock, settle


def test_bank_is_a_lock_bank(bank):
    assert isinstance(bank, LockBank)
    assert len(bank.trays) == 24


def test_status_maps_every_tray(bank, sim_bus, profile):
    sim_bus.put_item(1, 3)                       # A19 is board 1 lock 3
    readings = bank.status()
    assert set(readings) == {t.id for t in profile.trays()}
    assert all(r.door == DoorState.LOCKED for r in readings.values())
    assert readings["A19"].occupied is True and readings["A18"].occupied is False


def test_unlock_opens_exactly_the_addressed_lock(bank, sim_bus, profile):
    reading = bank.unlock("A12", "txn-1")
    assert reading.door == DoorState.OPEN
    assert sim_bus.unlocks() == [board_lock(profile, "A12")]
    host = [e for e in sim_bus.frames_log if e.direction == "host"]
    assert host[-1].data == encode_unlock(0, 12)
    doors = bank.status()
    assert [t for t, r in doors.items() if r.door == DoorState.OPEN] == ["A12"]
    sim_bus.close_door(0, 12)
    assert bank.read_tray("A12").door == DoorState.LOCKED


def test_unlock_needs_a_transaction(bank, sim_bus):
    with pytest.raises(ValueError, match="transaction"):
        bank.unlock("A01", "")
    assert sim_bus.unlocks() == []


def test_silent_board_goes_offline_with_advice(bank, sim_bus):
    sim_bus.set_fault(1, "silent")
    with pytest.raises(BoardOffline) as err:
        bank.read_tray("A20")
    assert "did not answer after 4 attempts" in str(err.value)
    assert "wiring" in err.value.advice and "address" in err.value.advice \
        and "19200 baud" in err.value.advice
    # 1 + 3 retries on the wire, nothing more
    hosts = lambda: [e.data for e in sim_bus.frames_log if e.direction == "host"]  # noqa
    assert settle(lambda: len(hosts()) >= 4) and hosts() == [encode_status(1)] * 4
    health = {h.device: h for h in bank.health()}
    assert health["lockboard:bus-a:1"].status == DeviceStatus.OFFLINE
    assert health["lockboard:bus-a:0"].status == DeviceStatus.ONLINE
    readings = bank.status()                     # the other board still reads
    assert readings["A20"].door == DoorState.UNKNOWN
    assert readings["A01"].door == DoorState.LOCKED
    sim_bus.set_fault(1, "silent", on=False)
    assert bank.status()["A20"].door == DoorState.LOCKED
    assert {h.device: h.status for h in bank.health()}["lockboard:bus-a:1"] == \
        DeviceStatus.ONLINE


def test_silent_board_does_not_unlock(bank, sim_bus):
    sim_bus.set_fault(0, "silent")
    with pytest.raises(BoardOffline):
        bank.unlock("A02", "txn-2")
    sim_bus.set_fault(0, "silent", on=False)
    assert bank.read_tray("A02").door == DoorState.LOCKED


def test_stuck_latch_reply_shows_door_still_shut(bank, sim_bus):
    sim_bus.set_fault(0, "stuck_latch")
    reading = bank.unlock("A05", "txn-3")
    assert reading.door == DoorState.LOCKED
    assert sim_bus.unlocks() == [(0, 5)]
    assert sim_bus.board(0).pulses[4] == 1


def test_broken_sensor_reads_open(bank, sim_bus):
    sim_bus.set_fault(0, "broken_sensor", lock=7)
    readings = bank.status()
    assert readings["A07"].door == DoorState.OPEN
    assert readings["A06"].door == DoorState.LOCKED
    assert not sim_bus.is_open(0, 7)             # the door itself is shut


def test_slow_reply_within_the_timeout_is_accepted(bank, sim_bus):
    sim_bus.set_fault(0, "slow", delay_s=0.05)   # the driver waits up to 200 ms
    ex_before = len(bank.recent_exchanges())
    assert bank.read_tray("A01").door == DoorState.LOCKED
    exchange = bank.recent_exchanges()[ex_before]
    assert exchange.attempts == 1 and exchange.elapsed_s >= 0.05


def test_reply_later_than_every_attempt_is_a_silent_board(bank, sim_bus):
    sim_bus.set_fault(0, "slow", delay_s=5.0)    # later than 4 attempts (1.25 s)
    with pytest.raises(BoardOffline):
        bank.read_tray("A01")
    assert [e for e in sim_bus.frames_log if e.direction == "board"] == []
    sim_bus.set_fault(0, "slow", on=False)       # the late answers go now
    assert bank.read_tray("A01").door == DoorState.LOCKED


def test_corrupted_replies_are_retried(bank, sim_bus):
    sim_bus.set_fault(0, "corrupt", times=2)
    reading = bank.unlock("A03", "txn-4")
    assert reading.door == DoorState.OPEN
    last = bank.recent_exchanges()[-1]
    assert last.attempts == 3 and last.txn == "txn-4"
    # the board got the unlock three times: same lock, same transaction, harmless
    assert sim_bus.unlocks() == [(0, 3)] * 3


def test_always_corrupt_board_is_offline(quick_bank, sim_bus):
    sim_bus.set_fault(1, "corrupt")
    with pytest.raises(BoardOffline):
        quick_bank.read_tray("A17")
    replies = lambda: [e for e in sim_bus.frames_log if e.direction == "board"]  # noqa
    assert settle(lambda: len(replies()) >= 4) and len(replies()) == 4


def test_garbage_on_the_line_is_skipped(bank, sim_bus):
    sim_bus.set_fault(0, "garbage", length=40)
    for _ in range(20):
        assert bank.read_tray("A04").door == DoorState.LOCKED
    assert bank.unlock("A04", "txn-5").door == DoorState.OPEN
    noise = [e for e in sim_bus.frames_log if e.direction == "noise"]
    assert len(noise) == 21
    sim_bus.inject_noise(bytes.fromhex("02 00 35 00 00 00 00 03 3a") * 3)  # stale "all open"
    assert bank.read_tray("A01").door == DoorState.LOCKED


def test_absent_board_is_offline(tmp_path):
    with SimLockBus(tmp_path / "bus", boards=[0]) as bus:
        with SerialLockBank([BusSpec("b", bus.path)], []) as bank:
            with pytest.raises(BoardOffline, match="board 9"):
                bank.buses["b"].status(9)


def test_port_that_does_not_exist(tmp_path):
    with SerialLockBank([BusSpec("b", str(tmp_path / "nope"))], []) as bank:
        with pytest.raises(TransportError) as err:
            bank.buses["b"].status(0)
    assert "does not exist" in err.value.advice
    assert bank.health() == []


def test_port_reopened_after_os_error(tmp_path):
    link = tmp_path / "bus"
    first = SimLockBus(link, boards=[0])
    bank = SerialLockBank([BusSpec("b", str(link))], [], retry_delays=(0.05, 0.05, 0.05))
    try:
        assert bank.buses["b"].status(0).board == 0
        transport = bank.buses["b"].transport
        assert transport.reopen_count == 1
        first.close()                            # cable pulled: the pty is gone
        second = SimLockBus(link, boards=[0])    # plugged in again under the same name
        try:
            second.force_open(0, 2)
            status = bank.buses["b"].status(0)
            assert not status.is_closed(2)
            assert transport.reopen_count == 2
        finally:
            second.close()
    finally:
        bank.close()
        first.close()


def test_two_buses_on_two_ports(tmp_path):
    with SimLockBus(tmp_path / "a", boards=[0]) as a, SimLockBus(tmp_path / "b", boards=[0]) as b:
        from hardware.lockboard.driver import TrayWiring
        bank = SerialLockBank([BusSpec("a", a.path), BusSpec("b", b.path)],
                              [TrayWiring("A01", "a", 0, 1), TrayWiring("B01", "b", 0, 1)])
        with bank:
            bank.unlock("B01", "txn-b")
            assert a.unlocks() == [] and b.unlocks() == [(0, 1)]
            assert bank.status()["B01"].door == DoorState.OPEN
            assert bank.status()["A01"].door == DoorState.LOCKED


def test_close_is_idempotent(profile):
    from hardware.lockboard.factory import build_lock_bank
    bank = build_lock_bank(profile)
    bank.status()
    bank.close()
    bank.close()
