"""Power cut between the steps of an unlock: a child process dies at each crashpoint.

After the restart the tray is UNKNOWN, nothing pulses a lock by itself, and a
technician can look inside and put the tray back into use.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.lockboard.factory import build_lock_bank
from kiosk.clock import SystemClock
from kiosk.models import TrayState as T
from kiosk.pii import Pii
from kiosk.services.doors import DoorError, DoorService
from kiosk.services.ledger import Ledger
from kiosk.services.recovery import recover
from kiosk.store import Store

from .crash_child import KEY

CHILD = Path(__file__).with_name("crash_child.py")
TRAY, TXN = "A09", "txn-crash-1"          # board 0, lock 9


def open_ledger(tmp_path):
    store = Store.open(tmp_path / "kiosk.db")
    return store, Ledger(store, SystemClock(), Pii(KEY), kiosk_id="TEST-LOCK")


def run_child(tmp_path, port, crashpoint):
    env = dict(os.environ, KIOSK_CRASHPOINT=crashpoint)
    return subprocess.run([sys.executable, str(CHILD), str(tmp_path), port, TRAY, TXN],
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("crashpoint, pulsed", [("lock.after_intent", False),
                                                ("lock.after_pulse", True)])
def test_crash_during_unlock(tmp_path, sim_bus, profile, bank, crashpoint, pulsed):
    store, ledger = open_ledger(tmp_path)
    ledger.sync_trays(profile.trays())
    ledger.move_tray(TRAY, T.RESERVED, actor="citizen", reason="deposit", txn=TXN)
    store.close()

    proc = run_child(tmp_path, sim_bus.path, crashpoint)
    assert proc.returncode == 137, proc.stderr
    assert "survived" not in proc.stdout
    assert sim_bus.unlocks() == ([(0, 9)] if pulsed else [])
    assert sim_bus.is_open(0, 9) is pulsed

    # restart: the intent survived the crash, recovery makes the tray UNKNOWN
    store, ledger = open_ledger(tmp_path)
    try:
        assert store.integrity_check() == "ok"
        assert ledger.tray(TRAY)["state"] == T.UNLOCKING.value
        report = recover(ledger)
        assert report["unknown"] == [TRAY]
        assert ledger.tray(TRAY)["state"] == T.UNKNOWN.value
        wire_before = len(sim_bus.unlocks())
        doors = DoorService(ledger, bank, SystemClock(), confirm_s=0.3, confirm_poll_s=0.05)
        for _ in range(3):
            doors.poll_once()
        assert len(sim_bus.unlocks()) == wire_before          # nothing pulsed by itself
        assert ledger.tray(TRAY)["state"] == T.UNKNOWN.value   # an open door is not tamper
        assert doors.free_tray("M") != TRAY

        # the technician looks: opens if it is shut, closes it, says what is inside
        if not pulsed:
            assert doors.service_open(TRAY, actor="tech:01", reason="check after power cut",
                                      txn="svc-1")
        with pytest.raises(DoorError, match="close it"):
            doors.resolve(TRAY, T.EMPTY, actor="tech:01", reason="found empty")
        sim_bus.close_door(0, 9)
        doors.poll_once()
        doors.resolve(TRAY, T.EMPTY, actor="tech:01", reason="found empty")
        assert ledger.tray(TRAY)["state"] == T.EMPTY.value
        assert sim_bus.unlocks() == [(0, 9)]                   # one pulse in all
        doors.poll_once()
        assert ledger.tray(TRAY)["state"] == T.EMPTY.value
        assert doors.free_tray("M") == TRAY
    finally:
        store.close()


def test_no_crashpoint_no_crash(tmp_path, sim_bus, profile):
    store, ledger = open_ledger(tmp_path)
    ledger.sync_trays(profile.trays())
    ledger.move_tray(TRAY, T.RESERVED, actor="citizen", reason="deposit", txn=TXN)
    store.close()
    proc = run_child(tmp_path, sim_bus.path, "")
    assert proc.returncode == 0, proc.stderr
    assert "opened = True" in proc.stdout
    store, ledger = open_ledger(tmp_path)
    try:
        assert ledger.tray(TRAY)["state"] == T.OPEN.value
    finally:
        store.close()


@pytest.mark.slow
def test_random_kills_never_pulse_without_intent(tmp_path, sim_bus, profile):
    """SIGKILL at random moments while trays are being opened one after another."""
    import random
    import signal
    import time
    from collections import Counter

    rng = random.Random(20260302)
    store, ledger = open_ledger(tmp_path)
    ledger.sync_trays(profile.trays())
    store.close()
    where = {t.id: (t.board, t.lock) for t in profile.trays()}
    for run in range(6):
        child = subprocess.Popen([sys.executable, str(CHILD.with_name("loop_child.py")),
                                  str(tmp_path), sim_bus.path, str(run)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(rng.uniform(0.0, 0.4))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            child.stdout.close()
            child.stderr.close()
        store, ledger = open_ledger(tmp_path)
        try:
            assert store.integrity_check() == "ok"
            recover(ledger)
            states = Counter(t["state"] for t in ledger.trays())
            assert not {T.UNLOCKING.value, T.OPEN.value, T.RESERVED.value} & set(states)
            # every pulse on the wire has its committed intent (a kill may leave an
            # intent with no pulse, never a pulse with no intent)
            intents = Counter(r["subject"] for r in store.query(
                "SELECT subject FROM journal WHERE to_state = 'UNLOCKING'"))
            pulses = Counter(sim_bus.unlocks())
            for tray, count in intents.items():
                assert pulses[where[tray]] <= count
            assert sum(pulses.values()) <= sum(intents.values())
            # after the restart nothing moves by itself
            before = len(sim_bus.unlocks())
            for tray in where:                   # people shut the doors left ajar
                sim_bus.close_door(*where[tray])
            with build_lock_bank(profile) as bank:   # closed again before the next child
                doors = DoorService(ledger, bank, SystemClock())
                doors.poll_once()
                assert len(sim_bus.unlocks()) == before
                assert ledger.trays(state=T.TAMPERED) == []
                # a technician clears what the kill left questionable, for the next run
                for t in ledger.trays(state=[T.UNKNOWN, T.FAULT]):
                    doors.resolve(t["id"], T.EMPTY, actor="tech:01",
                                  reason="checked: empty")
        finally:
            store.close()
    assert sum(Counter(sim_bus.unlocks()).values()) > 6       # the child did real work
