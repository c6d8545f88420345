"""Power cuts for real: a child process writes random transactions to a database file
and is killed with SIGKILL at random moments, 200 times. After every kill the file
opens, ``PRAGMA integrity_check`` is ok, the journal chain holds, recovery leaves no
tray UNLOCKING, and the paper invariants hold both ways: every full tray holds a dossier
in the matching state, and every dossier whose paper is in the cabinet is in a tray.
``test_the_check_sees_paper_in_no_tray`` shows the second half catching a writer that
empties a tray before moving its dossier."""
import os
import random
import signal
import time

import pytest

from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.journal import verify_chain
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.services.recovery import recover
from kiosk.store import Store
from tests.core.paper import paper_problems

KILLS = 200
SPECS = load_config("config/sim.toml").trays()
KEY = Pii(b"crash-test-key-0123456789")


def _writer(path, seed, ready_fd):
    """Runs in the child until killed: deposits, collections, loads, pickups."""
    rnd = random.Random(seed)
    led = Ledger(Store.open(path), ManualClock(), KEY, "CRASH")
    os.write(ready_fd, b"!")      # the kill is timed from here, whatever the machine's load
    while True:
        step(led, rnd)


def step(led, rnd):
    """One piece of a day's work, each ending in one committed transaction."""
    empty = led.trays(state=T.EMPTY)
    full = led.trays(state=T.OCCUPIED_DEPOSIT)
    results = led.trays(state=T.OCCUPIED_RESULT)
    collected = led.dossiers(state=D.COLLECTED)
    choice = rnd.random()
    if empty and (choice < 0.4 or not (full or results)):
        tray = rnd.choice(empty)["id"]
        d = led.create_dossier(procedure_code="HT-01", state=D.DRAFT, actor="citizen",
                               phone="0912345678")
        led.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit",
                      dossier_code=d["code"])
        led.move_tray(tray, T.UNLOCKING, actor="citizen", reason="deposit", txn="t")
        led.move_tray(tray, T.OPEN, actor="citizen", reason="door opened")
        with led.transaction():
            led.move_tray(tray, T.OCCUPIED_DEPOSIT, actor="citizen", reason="closed")
            led.move_dossier(d["code"], D.DEPOSITED, actor="citizen", reason="closed",
                             tray_id=tray)
    elif full and choice < 0.6:
        tray = rnd.choice(full)
        led.move_tray(tray["id"], T.UNLOCKING, actor="staff", reason="collect", txn="c")
        led.move_tray(tray["id"], T.OPEN, actor="staff", reason="door opened")
        with led.transaction():
            led.move_tray(tray["id"], T.EMPTY, actor="staff", reason="collected")
            led.move_dossier(tray["dossier_code"], D.COLLECTED, actor="staff",
                             reason="collected")
    elif collected and empty and choice < 0.8:
        tray, code = rnd.choice(empty)["id"], rnd.choice(collected)["code"]
        led.move_tray(tray, T.RESERVED, actor="staff", reason="load")
        led.move_tray(tray, T.UNLOCKING, actor="staff", reason="load", txn="l")
        led.move_tray(tray, T.OPEN, actor="staff", reason="door opened")
        with led.transaction():
            led.move_tray(tray, T.OCCUPIED_RESULT, actor="staff", reason="loaded",
                          dossier_code=code)
            led.move_dossier(code, D.RESULT_LOADED, actor="staff", reason="loaded",
                             tray_id=tray)
    elif results:
        tray = rnd.choice(results)
        led.move_tray(tray["id"], T.UNLOCKING, actor="citizen", reason="pickup", txn="p")
        led.move_tray(tray["id"], T.OPEN, actor="citizen", reason="door opened")
        with led.transaction():
            led.move_tray(tray["id"], T.EMPTY, actor="citizen", reason="picked up")
            led.move_dossier(tray["dossier_code"], D.PICKED_UP, actor="citizen",
                             reason="picked up")


def _check(path):
    store = Store.open(path)
    try:
        assert store.integrity_check() == "ok"
        led = Ledger(store, ManualClock(), KEY, "CRASH")
        recover(led)
        # a technician resolves questionable trays so the run can go on
        for t in led.trays(state=T.UNKNOWN):
            d = led.dossier(t["dossier_code"]) if t["dossier_code"] else None
            with led.transaction():
                if d and d["state"] == "DRAFT":
                    led.move_tray(t["id"], T.EMPTY, actor="tech", reason="checked: empty")
                    led.move_dossier(d["code"], D.CANCELLED, actor="tech", reason="no paper")
                elif d and d["state"] == "DEPOSITED":
                    led.move_tray(t["id"], T.OCCUPIED_DEPOSIT, actor="tech", reason="checked")
                elif d and d["state"] == "RESULT_LOADED":
                    led.move_tray(t["id"], T.OCCUPIED_RESULT, actor="tech", reason="checked")
                else:
                    led.move_tray(t["id"], T.EMPTY, actor="tech", reason="checked: empty")
        rows = store.query("SELECT * FROM journal ORDER BY seq")
        report = verify_chain(rows, led.journal_head())
        assert report.ok, report.problem
        assert not led.trays(state=T.UNLOCKING) and not led.trays(state=T.OPEN)
        problems = paper_problems(led)
        assert not problems, problems
        outbox = store.query_one("SELECT COUNT(*) n, COUNT(DISTINCT journal_seq) s FROM "
                                 "outbox")
        assert outbox["n"] == outbox["s"]
        return report.rows
    finally:
        store.close()


def test_two_hundred_sigkills(tmp_path):
    path = str(tmp_path / "kiosk.db")
    s = Store.open(path)
    Ledger(s, ManualClock(), KEY, "CRASH").sync_trays(SPECS)
    s.close()
    rnd = random.Random(20261127)
    rows_before = 0
    grew = 0
    for i in range(KILLS):
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:   # child: write until killed
            try:
                os.close(ready_r)
                _writer(path, i, ready_w)
            finally:
                os._exit(1)
        os.close(ready_w)
        assert os.read(ready_r, 1) == b"!", "the writer did not start"
        os.close(ready_r)
        time.sleep(rnd.uniform(0.005, 0.06))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
            "the writer stopped by itself: it hit an error"
        rows = _check(path)
        grew += rows > rows_before
        rows_before = rows
    # most kills land after some work was committed (a kill before the first commit
    # still checks recovery, but proves less)
    assert grew > KILLS // 4, f"the writer made progress before only {grew} of {KILLS} kills"


def _broken_collect(path, ready_fd):
    """A deliberately broken collection: the tray is emptied in one transaction and the
    dossier moved in the next, and the power goes between the two."""
    led = Ledger(Store.open(path), ManualClock(), KEY, "CRASH")
    tray = led.trays(state=T.EMPTY)[0]["id"]
    d = led.create_dossier(procedure_code="HT-01", state=D.DRAFT, actor="citizen",
                           phone="0912345678")
    led.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit", dossier_code=d["code"])
    led.move_tray(tray, T.UNLOCKING, actor="citizen", reason="deposit", txn="t")
    led.move_tray(tray, T.OPEN, actor="citizen", reason="door opened")
    with led.transaction():
        led.move_tray(tray, T.OCCUPIED_DEPOSIT, actor="citizen", reason="closed")
        led.move_dossier(d["code"], D.DEPOSITED, actor="citizen", reason="closed",
                         tray_id=tray)
    led.move_tray(tray, T.UNLOCKING, actor="staff", reason="collect", txn="c")
    led.move_tray(tray, T.OPEN, actor="staff", reason="door opened")
    led.move_tray(tray, T.EMPTY, actor="staff", reason="collected")     # committed alone
    os.write(ready_fd, b"!")
    os.kill(os.getpid(), signal.SIGKILL)                                # power cut here
    led.move_dossier(d["code"], D.COLLECTED, actor="staff", reason="collected")


def test_the_check_sees_paper_in_no_tray(tmp_path):
    path = str(tmp_path / "kiosk.db")
    s = Store.open(path)
    Ledger(s, ManualClock(), KEY, "CRASH").sync_trays(SPECS)
    s.close()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready_r)
            _broken_collect(path, ready_w)
        finally:
            os._exit(1)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"!"
    os.close(ready_r)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    with pytest.raises(AssertionError, match="is DEPOSITED but is in 0 trays"):
        _check(path)
