"""Medians, p99s and the one line every benchmark reports: measured, limit, ratio.

A ratio is always ``measured / limit`` of a time (or a size): 1.0 means the software
costs nothing beyond the physics, 3.0 means three times the limit. Throughputs are
turned into time per item first, so that the table reads the same way everywhere.
"""
from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
RESULT_TAG = "BENCH-RESULT "


def percentile(values, q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    xs = sorted(values)
    if not xs:
        raise ValueError("no samples to take a percentile of")
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def median(values) -> float:
    return percentile(values, 50)


def p99(values) -> float:
    return percentile(values, 99)


@dataclass
class Result:
    """One row of bench/results.md."""

    what: str
    measured: float
    limit: float | None
    unit: str
    how: str = ""               # what the measured figure is (p99 of N, median of N...)
    limit_how: str = ""         # what the limit is and how it was taken in this run
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.limit is None or self.limit <= 0:
            return None
        return self.measured / self.limit

    def line(self) -> str:
        lim = "—" if self.limit is None else f"{fmt(self.limit)} {self.unit}"
        r = "—" if self.ratio is None else f"{self.ratio:.2f}"
        return (f"{self.what:<44} measured {fmt(self.measured)} {self.unit:<5} "
                f"limit {lim:<14} ratio {r}")


def fmt(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def emit(results: list[Result]) -> None:
    """Print the human lines and one machine line per result for ``bench/__main__``."""
    for r in results:
        print(r.line(), flush=True)
        for n in r.notes:
            print(f"    {n}", flush=True)
    for r in results:
        print(RESULT_TAG + json.dumps(asdict(r) | {"ratio": r.ratio}, ensure_ascii=False),
              flush=True)


def wire_ms(n_bytes: int, baud: int, bits_per_byte: int = 10) -> float:
    """Time ``n_bytes`` take on a serial line (8N1: start + 8 data + stop bits)."""
    return n_bytes * bits_per_byte * 1000.0 / baud


def rss_kb() -> int:
    """Resident memory of this process (VmRSS from /proc/self/status), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status (not Linux?)")


def main_for(run) -> None:
    """``if __name__ == '__main__': main_for(run)`` in each benchmark module."""
    quick = "--quick" in sys.argv
    emit(run(quick=quick))


def pty_pingpong_ms(n: int = 1000, reply_delay_s: float = 0.0) -> list[float]:
    """The machine's own floor for a serial exchange: write 5 bytes into a raw pty, a
    forked process answers 9 bytes (after ``reply_delay_s``, the line time), read them.
    No driver, no simulator, no Python threads: what the OS scheduler alone costs."""
    import select
    import tty
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    pid = os.fork()
    if pid == 0:                                   # the answering "board"
        try:
            os.close(slave)
            while True:
                data = os.read(master, 64)
                if not data or data.endswith(b"q"):
                    break
                if reply_delay_s:
                    time.sleep(reply_delay_s)
                os.write(master, b"\x35" * 9)
        finally:
            os._exit(0)
    out = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            os.write(slave, b"\x02\x00\x30\x03\x35")
            got = b""
            while len(got) < 9:
                select.select([slave], [], [], 1.0)
                got += os.read(slave, 64)
            out.append((time.perf_counter() - t0) * 1000.0)
    finally:
        os.write(slave, b"q")
        os.waitpid(pid, 0)
        os.close(master)
        os.close(slave)
    return out


class DiskFloors:
    """The three disk floors, one sample at a time, to interleave with the thing
    measured: overwrite one page + fsync, append one page + fdatasync, a bare one-row
    SQLite commit (WAL, synchronous=FULL). Files live in ``folder``; close() removes them."""

    def __init__(self, folder: str | Path | None = None):
        import sqlite3
        self._tmp = tempfile.TemporaryDirectory(prefix="floors-", dir=folder or CACHE_DIR)
        d = Path(self._tmp.name)
        self.page = os.urandom(4096)
        self._over = os.open(d / "overwrite", os.O_RDWR | os.O_CREAT, 0o600)
        os.write(self._over, self.page)
        os.fsync(self._over)
        self._append = os.open(d / "append", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._db = sqlite3.connect(d / "c.db", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        self.fsync_ms: list[float] = []
        self.append_ms: list[float] = []
        self.commit_ms: list[float] = []

    def sample(self) -> None:
        t0 = time.perf_counter()
        os.pwrite(self._over, self.page, 0)
        os.fsync(self._over)
        t1 = time.perf_counter()
        os.write(self._append, self.page)
        os.fdatasync(self._append)
        t2 = time.perf_counter()
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("INSERT INTO t (v) VALUES (?)", ("x" * 200,))
        self._db.execute("COMMIT")
        t3 = time.perf_counter()
        self.fsync_ms.append((t1 - t0) * 1000.0)
        self.append_ms.append((t2 - t1) * 1000.0)
        self.commit_ms.append((t3 - t2) * 1000.0)

    def close(self) -> None:
        if self._tmp is None:
            return
        os.close(self._over)
        os.close(self._append)
        self._db.close()
        self._tmp.cleanup()
        self._tmp = None
