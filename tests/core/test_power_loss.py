"""Power loss for real: writes not yet synced are dropped, not only the process killed.

A child process runs the crash test's day of work (deposits, collections, loads,
pickups) through the power-loss VFS (``sim/powerloss/vfs.py``: every write not followed
by an ``fsync`` of its file is undone after the kill, or kept sector by sector at
random). After each transaction the child reports the journal head it committed; after
each cut the database must still hold that head, pass ``integrity_check``, the chain and
the paper invariants. Outbox rows marked delivered with ``durable=False`` may be lost:
that path is counted, and redone by the next send (the city drops the duplicate).

``test_the_layer_tells_full_from_normal`` shows the layer is not a ``kill -9``: the same
day with ``synchronous=NORMAL`` loses committed work at once.
"""
from __future__ import annotations

import os
import random
import signal
import struct
import time

import pytest

from kiosk.clock import ManualClock
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.powerloss.vfs import drop_unsynced, install
from tests.core.test_crash_kill import KEY, SPECS, _check, step

CUTS = int(os.environ.get("KIOSK_POWER_CUTS", "60"))
REPORT = struct.Struct("<q32sq")        # committed journal head (seq, hash), outbox marks


def _child(path, log_dir, seed, report_fd, synchronous):
    install(log_dir)
    rnd = random.Random(seed)
    store = Store.open(path)
    if synchronous != "FULL":            # the deliberately broken variant
        store.conn.execute(f"PRAGMA synchronous = {synchronous}")
    led = Ledger(store, ManualClock(), KEY, "CRASH")
    marked = 0
    while True:
        step(led, rnd)
        if synchronous == "FULL" and rnd.random() < 0.3:
            # the outbox worker's non-durable bookkeeping (it puts FULL back after)
            with store.write(durable=False):
                marked += store.execute("UPDATE outbox SET delivered_at = 'x' WHERE "
                                        "delivered_at IS NULL").rowcount
        head = led.journal_head()
        os.write(report_fd, REPORT.pack(head["seq"], bytes.fromhex(head["hash"]), marked))


def _cut(path, log_dir, seed, delay, synchronous="FULL", keep=0.0):
    """One run of the child, killed after ``delay``; (committed head, marks, report)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            _child(path, log_dir, seed, w, synchronous)
        finally:
            os._exit(1)
    os.close(w)
    got = b""
    deadline = time.monotonic() + delay
    os.set_blocking(r, False)
    while time.monotonic() < deadline or len(got) < REPORT.size:
        try:
            chunk = os.read(r, 1 << 16)
        except BlockingIOError:
            time.sleep(0.002)
            continue
        if not chunk:
            break
        got += chunk
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.set_blocking(r, True)
    while chunk := os.read(r, 1 << 16):
        got += chunk
    os.close(r)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
        f"the writer stopped by itself (status {status}): it hit an error"
    whole = len(got) // REPORT.size * REPORT.size
    seq, digest, marks = REPORT.unpack_from(got, whole - REPORT.size)
    lost = drop_unsynced(log_dir, keep=keep, seed=seed)
    return seq, digest.hex(), marks, lost


def _fresh(tmp_path):
    path = str(tmp_path / "kiosk.db")
    s = Store.open(path)
    Ledger(s, ManualClock(), KEY, "CRASH").sync_trays(SPECS)
    s.close()
    return path


def _head_kept(path, seq, digest) -> bool:
    s = Store.open(path, migrate=False)
    try:
        row = s.query_one("SELECT hash FROM journal WHERE seq = ?", (seq,))
        return row is not None and row["hash"] == digest
    finally:
        s.close()


def test_power_cuts_lose_no_committed_state(tmp_path, record_property):
    path, log_dir = _fresh(tmp_path), tmp_path / "powerloss"
    rnd = random.Random(20261202)
    figures = {"cuts": 0, "cuts with unsynced writes dropped": 0, "bytes dropped": 0,
               "committed heads lost": 0, "outbox marks made": 0,
               "outbox marks lost (durable=False)": 0}
    for i in range(CUTS):
        keep = 0.0 if i % 2 == 0 else 0.5          # all lost, or a random half kept
        seq, digest, marks, lost = _cut(path, log_dir, i, rnd.uniform(0.02, 0.15), keep=keep)
        figures["cuts"] += 1
        figures["cuts with unsynced writes dropped"] += lost["bytes_dropped"] > 0
        figures["bytes dropped"] += lost["bytes_dropped"]
        figures["committed heads lost"] += not _head_kept(path, seq, digest)
        s = Store.open(path, migrate=False)
        still = s.query_one("SELECT COUNT(*) n FROM outbox WHERE delivered_at = 'x'")["n"]
        s.close()
        figures["outbox marks made"] += marks
        _check(path)               # integrity, chain, recovery, paper both ways
        # the marks left are the durable ones; reset them for the next run's count
        s = Store.open(path, migrate=False)
        with s.write():
            total = s.query_one("SELECT COUNT(*) n FROM outbox")["n"]
            s.execute("UPDATE outbox SET delivered_at = NULL")
        s.close()
        figures["outbox marks lost (durable=False)"] += max(0, min(marks, total) - still)
    record_property("soak_table", "\n".join(f"{k}: {v}" for k, v in figures.items()))
    print(figures)
    assert figures["committed heads lost"] == 0, figures
    # the cuts really fell where writes were waiting for the disk
    assert figures["cuts with unsynced writes dropped"] >= CUTS // 4, figures


def test_the_layer_tells_full_from_normal(tmp_path):
    """With ``synchronous=NORMAL`` the WAL is synced only at checkpoints: a power cut
    undoes commits the writer had already reported; a ``kill -9`` would not."""
    path, log_dir = _fresh(tmp_path), tmp_path / "powerloss"
    lost = 0
    for i in range(6):
        seq, digest, _, _ = _cut(path, log_dir, 100 + i, 0.1, synchronous="NORMAL")
        lost += not _head_kept(path, seq, digest)
    assert lost >= 3, f"synchronous=NORMAL lost committed work in only {lost} of 6 cuts"


def test_which_paths_survive(tmp_path):
    """A durable commit survives; a ``durable=False`` one alone does not; a durable one
    after it carries it to the disk (the WAL is written in order)."""
    path, log_dir = _fresh(tmp_path), tmp_path / "powerloss"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            install(log_dir)
            s = Store.open(path)
            s.set_setting("durable", 1)
            with s.write(durable=False):
                s.execute("INSERT INTO settings VALUES ('carried', '1')")
            s.set_setting("after", 1)
            with s.write(durable=False):
                s.execute("INSERT INTO settings VALUES ('alone', '1')")
            os.write(w, b"!")
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.close(w)
    assert os.read(r, 1) == b"!"
    os.waitpid(pid, 0)
    report = drop_unsynced(log_dir)
    assert report["bytes_dropped"] > 0
    s = Store.open(path, migrate=False)
    keys = {row["key"] for row in s.query("SELECT key FROM settings")}
    s.close()
    assert {"durable", "carried", "after"} <= keys and "alone" not in keys
