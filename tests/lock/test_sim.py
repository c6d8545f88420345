"""The simulator on its own: its frame reader, door physics, and the standalone program."""
import json
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

from sim.lockboard import SimError, SimLockBus
from sim.lockboard.frames import CommandReader, status_reply

STATUS0 = bytes.fromhex("02 00 30 03 35")
UNLOCK_2_12 = bytes.fromhex("02 2B 31 03 61")


@given(st.binary(max_size=60), st.binary(max_size=60))
def test_reader_finds_commands_in_noise(before, after):
    reader = CommandReader()
    cmds, _ = reader.feed(before.replace(b"\x02", b"") + UNLOCK_2_12)
    more, _ = reader.feed(after)
    assert [(c.board, c.lock, c.code) for c in cmds] == [(2, 12, 0x31)]
    assert all(c.code in (0x30, 0x31) for c in more)


def test_reader_takes_split_frames_and_drops_bad_ones():
    reader = CommandReader()
    assert reader.feed(STATUS0[:2])[0] == []
    cmds, junk = reader.feed(STATUS0[2:] + bytes.fromhex("02 00 30 03 36") + STATUS0)
    assert [c.raw for c in cmds] == [STATUS0, STATUS0]
    assert junk == bytes.fromhex("02 00 30 03 36")


def test_reply_matches_the_protocol_layout():
    hooks = [True] * 16
    hooks[0] = False
    assert status_reply(0, hooks, [False] * 16) == bytes.fromhex("02 00 35 FE FF 00 00 03 37")


def test_door_physics(tmp_path):
    with SimLockBus(tmp_path / "bus", boards=[0]) as bus:
        board = bus.board(0)
        board.pulse(4)
        assert bus.is_open(0, 4) and board.sensed()[0][3] is False
        bus.close_door(0, 4)
        assert not bus.is_open(0, 4) and board.sensed()[0][3] is True
        bus.set_fault(0, "stuck_latch")
        board.pulse(4)
        assert not bus.is_open(0, 4) and board.pulses[3] == 2
        with pytest.raises(SimError, match="unknown fault"):
            bus.set_fault(0, "melted")
        with pytest.raises(SimError, match="no simulated board"):
            bus.close_door(3, 1)
        with pytest.raises(SimError, match="locks are 1..16"):
            bus.put_item(0, 17)
        changes = []
        bus.add_listener(lambda: changes.append(1))
        bus.put_item(0, 1)
        assert changes and bus.snapshot()[0]["item"][0] is True


def test_board_without_item_sensors_reports_zero(tmp_path):
    with SimLockBus(tmp_path / "bus", boards={0: {"item_sensors": False}}) as bus:
        bus.put_item(0, 1)
        assert bus.board(0).sensed()[1] == [False] * 16


def test_standalone_program(tmp_path):
    link = tmp_path / "dev" / "lockbus-a"
    proc = subprocess.Popen([sys.executable, "-m", "sim.lockboard", "--link", str(link),
                             "--boards", "0,1"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "lock boards [0, 1]" in proc.stdout.readline()
        proc.stdin.write("force 1 3\n")
        proc.stdin.flush()
        assert proc.stdout.readline().startswith("ok force board 1 lock 3")
        out = subprocess.run([sys.executable, "-m", "kiosk.cli", "hw", "lock", "status",
                              "--port", str(link), "--board", "1"],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["closed"][2] is False
        proc.stdin.write("fault 9 silent on\n")
        proc.stdin.flush()
        assert proc.stdout.readline().startswith("error: no simulated board at address 9")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()
    assert not link.exists()                       # the link goes with the simulator
