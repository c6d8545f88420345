"""Many threads on one bus: frames never interleave, replies match, unlocks hit their tray."""
import threading
from collections import Counter

from hardware.lockboard.codec import decode_command, decode_reply, encode_unlock
from hardware.ports import DoorState
from kiosk.models import TrayState as T
from kiosk.services.doors import DoorService

from .conftest import board_lock

THREADS = 8
ROUNDS = 60


def check_line(sim_bus):
    """Host command, its reply, next command: strictly alternating, addresses matching."""
    log = sim_bus.frames_log
    assert [e for e in log if e.direction == "noise"] == []
    assert len(log) % 2 == 0
    for cmd, reply in zip(log[0::2], log[1::2]):
        assert cmd.direction == "host" and reply.direction == "board"
        assert decode_reply(reply.data).board == decode_command(cmd.data).board
    # a command that reached the board before the previous reply had left it would mean
    # two commands on the bus at once
    for reply, nxt in zip(log[1::2], log[2::2]):
        assert nxt.at >= reply.at
    return log


def test_threads_unlocking_different_trays(bank, sim_bus, profile):
    trays = [t.id for t in profile.trays()]
    mine = {n: trays[n::THREADS] for n in range(THREADS)}
    failures = []
    asked: list[tuple[str, str]] = []
    asked_lock = threading.Lock()
    gate = threading.Barrier(THREADS)

    def worker(n):
        gate.wait()
        for r in range(ROUNDS):
            tray = mine[n][r % len(mine[n])]
            txn = f"w{n}-r{r}"
            with asked_lock:
                asked.append((txn, tray))
            reading = bank.unlock(tray, txn)
            if reading.tray != tray or reading.door != DoorState.OPEN:
                failures.append((txn, tray, reading))
            if bank.status()[tray].door != DoorState.OPEN:
                failures.append((txn, tray, "status"))
            sim_bus.close_door(*board_lock(profile, tray))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    check_line(sim_bus)
    # each unlock frame on the wire was asked for by exactly the transaction that wanted
    # that tray, in the driver's own record
    by_txn = {e.txn: e for e in bank.recent_exchanges() if e.txn}
    assert len(asked) == THREADS * ROUNDS
    for txn, tray in asked:
        assert by_txn[txn].request == encode_unlock(*board_lock(profile, tray))
        assert by_txn[txn].attempts == 1
    wire = Counter(sim_bus.unlocks())
    assert wire == Counter(board_lock(profile, tray) for _, tray in asked)


def test_door_service_transactions_in_parallel(ledger, bank, clock, sim_bus, profile):
    """Six 'citizens' at once, each reserving, opening, closing their own trays."""
    trays = [t.id for t in profile.trays()]
    closed = {t: threading.Event() for t in trays}
    doors = DoorService(ledger, bank, clock, poll_s=0.2, busy_poll_s=0.05, confirm_s=0.3,
                        confirm_poll_s=0.05)
    doors.add_listener(lambda tray, door, occ: door == DoorState.LOCKED and
                       closed[tray].set())
    workers, rounds = 6, 6
    mine = {n: trays[n::workers] for n in range(workers)}
    failures = []
    opened: list[tuple[str, str]] = []
    lock = threading.Lock()

    def citizen(n):
        for r in range(rounds):
            tray = mine[n][r % len(mine[n])]
            txn = f"c{n}-{r}"
            ledger.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit", txn=txn)
            closed[tray].clear()
            if not doors.open(tray, actor="citizen", reason="deposit", txn=txn):
                failures.append((txn, tray))
                return
            with lock:
                opened.append((txn, tray))
            sim_bus.close_door(*board_lock(profile, tray))
            if not closed[tray].wait(10):
                failures.append((txn, tray, "close not heard"))
                return
            ledger.move_tray(tray, T.EMPTY, actor="citizen", reason="backed out", txn=txn)

    with doors:
        threads = [threading.Thread(target=citizen, args=(n,)) for n in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
    assert len(opened) == workers * rounds
    check_line(sim_bus)
    # no alarm, no fault: every open door was one we asked for
    actions = Counter(r["action"] for r in ledger.store.query("SELECT action FROM journal"))
    assert actions["alarm.tamper"] == 0 and actions["door.closed"] == workers * rounds
    # the journal's UNLOCKING row of each transaction names the tray whose lock was pulsed
    unlocking = {r["txn"]: r["subject"] for r in ledger.store.query(
        "SELECT txn, subject FROM journal WHERE to_state = 'UNLOCKING'")}
    assert unlocking == dict(opened)
    by_txn = {e.txn: e for e in bank.recent_exchanges() if e.txn}
    for txn, tray in opened:
        assert by_txn[txn].request == encode_unlock(*board_lock(profile, tray))
    assert Counter(sim_bus.unlocks()) == Counter(board_lock(profile, t) for _, t in opened)
