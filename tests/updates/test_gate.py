"""The update gate: real flock(2) locks, across real processes."""
from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.updates.gate import GateBusy, UpdateGate, UpdateInProgress

HOLD = ("import sys; from kiosk.updates.gate import UpdateGate; "
        "g = UpdateGate(sys.argv[1]); h = g.{how}(); print('held', flush=True); "
        "sys.stdin.read()")


@pytest.fixture
def gate(tmp_path):
    return UpdateGate(tmp_path / "update.lock")


def holder(gate, how):
    p = subprocess.Popen([sys.executable, "-c", HOLD.format(how=how), str(gate.path)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def done(p):
    p.stdin.close()
    assert p.wait(timeout=10) == 0


def test_open_transaction_in_another_process_makes_the_updater_wait(gate):
    p = holder(gate, "begin")
    try:
        with pytest.raises(GateBusy, match="transaction is open"):
            gate.hold()
        assert gate.accepting                 # other transactions may still start
    finally:
        done(p)
    gate.hold().release()                     # free once it ended


def test_updater_holding_the_gate_refuses_new_transactions(gate):
    p = holder(gate, "hold")
    try:
        assert not gate.accepting
        with pytest.raises(UpdateInProgress):
            gate.begin()
    finally:
        done(p)
    assert gate.accepting
    with gate.transaction():
        with pytest.raises(GateBusy):
            gate.hold()


def test_a_crashed_holder_frees_the_gate(gate):
    p = subprocess.Popen([sys.executable, "-c", HOLD.format(how="hold"), str(gate.path)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    p.kill()
    p.wait(timeout=10)
    assert gate.accepting
