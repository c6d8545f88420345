"""``kiosk hw lock open|status`` against simulated boards, and against an absent one."""
import json
import subprocess
import sys

import pytest

from kiosk.cli import main

from .conftest import settle

KIOSK = [sys.executable, "-m", "kiosk.cli"]


def test_open_prints_the_reply(sim_bus, capsys):
    status = main(["hw", "lock", "open", "--port", sim_bus.path, "--board", "1",
                   "--lock", "12"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out == {"board": 1, "lock": 12, "opened": True,
                   "closed": [i != 11 for i in range(16)]}
    assert sim_bus.unlocks() == [(1, 12)]


def test_open_with_stuck_latch_says_not_opened(sim_bus, capsys):
    sim_bus.set_fault(0, "stuck_latch")
    assert main(["hw", "lock", "open", "--port", sim_bus.path, "--board", "0",
                 "--lock", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["opened"] is False


def test_status_prints_hooks_and_items(sim_bus, capsys):
    sim_bus.force_open(0, 16)
    sim_bus.put_item(0, 2)
    assert main(["hw", "lock", "status", "--port", sim_bus.path, "--board", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"board": 0, "closed": [i != 15 for i in range(16)],
                   "occupied": [i == 1 for i in range(16)]}
    assert sim_bus.unlocks() == []


def test_absent_board_exits_3_with_one_line(sim_bus):
    """A separate process, as a technician runs it; the elapsed time is in the docs."""
    proc = subprocess.run(KIOSK + ["hw", "lock", "status", "--port", sim_bus.path,
                                   "--board", "7"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 3
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "board 7" in lines[0] and "did not answer" in lines[0]
    assert "wiring" in lines[0]
    host = lambda: [e for e in sim_bus.frames_log if e.direction == "host"]  # noqa: E731
    assert settle(lambda: len(host()) >= 4)
    assert len(host()) == 4 and all(e.board == 7 for e in host())


def test_missing_port_exits_4(tmp_path, capsys):
    assert main(["hw", "lock", "status", "--port", str(tmp_path / "ttyUSB9"),
                 "--board", "0"]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


@pytest.mark.parametrize("argv", [
    ["open", "--port", "x", "--board", "16", "--lock", "1"],
    ["open", "--port", "x", "--board", "0", "--lock", "0"],
    ["status", "--port", "x", "--board", "0", "--baud", "1234"],
])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["hw", "lock", *argv])
    assert exc.value.code == 2
