"""Lock command round trip: ``SerialLockBank`` against the lock-board simulator on a pty.

Measured: one status command (5 bytes out, 9 back) through the driver's retry loop and
the ``SerialTransport``, with the simulator spending the line time a real RS485 pair at
19200 baud would. Limit: those 14 bytes on the wire, 14 x 10 bits / 19200 baud.
The same loop with no line time shows what the software and the pty add on their own.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.stats import Result, main_for, median, p99, pty_pingpong_ms, wire_ms
from hardware.lockboard.driver import BusSpec, SerialLockBank, TrayWiring
from sim.lockboard import SimLockBus

BAUD = 19200


def _loop(line_baud: int | None, n: int) -> tuple[list[float], list[float]]:
    status_ms, unlock_ms = [], []
    with tempfile.TemporaryDirectory(prefix="bench-lock-") as d, \
            SimLockBus(Path(d) / "bus", boards=[0], line_baud=line_baud) as sim, \
            SerialLockBank([BusSpec("a", sim.path, BAUD)],
                           [TrayWiring("A01", "a", 0, 1)]) as bank:
        for _ in range(20):                 # open the port, warm the caches
            bank.read_tray("A01")
        for i in range(n):
            if i % 10 == 9:
                t0 = time.perf_counter()
                bank.unlock("A01", txn=f"bench-{i}")
                unlock_ms.append((time.perf_counter() - t0) * 1000.0)
                sim.close_door(0, 1)
            else:
                t0 = time.perf_counter()
                bank.read_tray("A01")
                status_ms.append((time.perf_counter() - t0) * 1000.0)
    return status_ms, unlock_ms


def run(quick: bool = False) -> list[Result]:
    n = 300 if quick else 2000
    limit = wire_ms(5 + 9, BAUD)
    status, unlock = _loop(BAUD, n)
    bare_status, _ = _loop(None, n // 2)
    floor = pty_pingpong_ms(n // 2, reply_delay_s=limit / 1000.0)
    return [Result(
        "lock command round trip (status)", p99(status), limit, "ms",
        how=f"p99 of {len(status)} status commands, simulator spends 19200-baud line time",
        limit_how="14 bytes (5 out + 9 back) x 10 bits / 19200 baud",
        notes=[f"median {median(status):.2f} ms; unlock p99 {p99(unlock):.2f} ms "
               f"(median {median(unlock):.2f}) over {len(unlock)}",
               f"same loop with no line time (driver + pty only): median "
               f"{median(bare_status):.3f} ms, p99 {p99(bare_status):.3f} ms",
               f"machine floor, no kiosk code: two processes ping-pong 5/9 bytes on a raw "
               f"pty with the same line-time sleep: median {median(floor):.2f} ms, "
               f"p99 {p99(floor):.2f} ms (p99 / that floor = "
               f"{p99(status) / p99(floor):.2f})"],
        extra={"median_ms": median(status), "unlock_p99_ms": p99(unlock),
               "unlock_median_ms": median(unlock), "no_line_median_ms": median(bare_status),
               "no_line_p99_ms": p99(bare_status), "floor_p99_ms": p99(floor),
               "floor_median_ms": median(floor)})]


if __name__ == "__main__":
    main_for(run)
