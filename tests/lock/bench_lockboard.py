"""Measure the lock layer against its physical limits (not collected by pytest).

    .venv/bin/python tests/lock/bench_lockboard.py

Prints command-to-reply latency on a pty (software only) and with the simulator spending
real line time at 19200 baud, against the frame's time on the wire (5 bytes out + 9 back
= 14 bytes x 10 bits / 19200 baud = 7.29 ms), and the time ``kiosk hw lock status``
takes to give up on an absent board (exit 3; must be under 2 s).
"""
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hardware.lockboard.driver import BusSpec, SerialLockBank, TrayWiring  # noqa: E402
from sim.lockboard import SimLockBus  # noqa: E402

WIRE_MS = 14 * 10 / 19200 * 1000


def latency(line_baud, n=1000):
    with tempfile.TemporaryDirectory() as d:
        with SimLockBus(Path(d) / "bus", boards=[0], line_baud=line_baud) as sim, \
                SerialLockBank([BusSpec("a", sim.path)],
                               [TrayWiring("A01", "a", 0, 1)]) as bank:
            bus = bank.buses["a"]
            bus.status(0)
            out = []
            for i in range(n):
                t = time.perf_counter()
                if i % 10:
                    bus.status(0)
                else:
                    bus.unlock(0, 1, txn=f"bench-{i}")
                    sim.close_door(0, 1)
                out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.99) - 1]


def absent_board(runs=5):
    times = []
    with tempfile.TemporaryDirectory() as d, SimLockBus(Path(d) / "bus", boards=[0]) as sim:
        for _ in range(runs):
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "hw", "lock", "status",
                                   "--port", sim.path, "--board", "7"],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            assert proc.returncode == 3, proc.stderr
    return statistics.median(times), max(times)


if __name__ == "__main__":
    med, p99 = latency(None)
    print(f"pty, no line time:   median {med:.3f} ms, p99 {p99:.3f} ms "
          f"= {med / WIRE_MS:.1%} / {p99 / WIRE_MS:.1%} of the {WIRE_MS:.2f} ms on the wire")
    med, p99 = latency(19200)
    print(f"pty + 19200 baud:    median {med:.3f} ms, p99 {p99:.3f} ms "
          f"= {med / WIRE_MS:.2f}x / {p99 / WIRE_MS:.2f}x the wire time")
    med, worst = absent_board()
    print(f"absent board, CLI:   exit 3 after median {med:.2f} s, worst {worst:.2f} s "
          f"(limit 2 s; protocol budget 4 x 0.200 + 0.10 + 0.15 + 0.20 = 1.25 s)")
