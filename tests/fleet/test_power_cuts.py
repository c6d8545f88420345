"""City commands under power cuts: the kiosk process is killed (os._exit at a named
point, as abrupt as a pulled plug) while it handles a command, then started again.
A command runs at most once; what was cut short is reported, never re-run."""
import json
import os
import subprocess
import sys
import time

import pytest

from kiosk.secrets import write_secret
from tests.fleet.conftest import ROOT, TOKEN, wait_for

pytestmark = pytest.mark.slow


class Child:
    def __init__(self, machine):
        self.machine = machine
        cfg = machine.config()
        machine.start_devices(cfg)
        write_secret(cfg.path(cfg.secrets.city_token_file), TOKEN.encode())
        self.cfg = cfg
        profile = {k: v for k, v in cfg.model_dump().items()
                   if k not in ("source", "base_dir")}
        self.path = machine.tmp / "child.json"
        self.path.write_text(json.dumps({"profile": profile, "base_dir": cfg.base_dir}))
        self.proc = None

    def start(self, crashpoint: str | None = None):
        env = dict(os.environ)
        env.pop("KIOSK_CRASHPOINT", None)
        if crashpoint:
            env["KIOSK_CRASHPOINT"] = crashpoint
        self.starts = getattr(self, "starts", 0) + 1
        out = self.machine.tmp / f"child-{self.starts}.log"
        with open(out, "wb") as f:              # a file, so that the child never blocks
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.fleet.kiosk_child",
                                          str(self.path)], cwd=ROOT, env=env,
                                         stdout=f, stderr=subprocess.STDOUT)
        ready = lambda: "ready\n" in out.read_text(errors="replace")  # noqa: E731
        if not wait_for(lambda: ready() or self.proc.poll() is not None, 30) or not ready():
            raise AssertionError("the kiosk process did not start:\n" + out.read_text())
        return self

    def died(self, timeout=15) -> int:
        return self.proc.wait(timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def child(machine):
    machine.start_city()
    c = Child(machine)
    yield c
    c.kill()


def db(child):
    import sqlite3
    conn = sqlite3.connect(child.cfg.db_path)
    conn.row_factory = sqlite3.Row
    return conn


def test_cut_after_the_claim_is_reported_interrupted_and_never_rerun(machine, child):
    child.start("command.after_claim")
    cid = machine.send("tray.out_of_service", {"tray": "A03"})
    assert child.died() == 137
    assert [c["status"] for c in machine.commands()] == ["delivered"]
    with db(child) as conn:
        assert conn.execute("SELECT state FROM trays WHERE id = 'A03'").fetchone()[0] == "EMPTY"
        assert conn.execute("SELECT status FROM city_commands").fetchone()[0] == "running"
    child.start()                                   # power back
    out = machine.outcome(cid)
    assert (out["status"], out["reason"]) == ("refused", "interrupted")
    with db(child) as conn:
        assert conn.execute("SELECT state FROM trays WHERE id = 'A03'").fetchone()[0] == "EMPTY"
    import requests
    requests.post(machine.city.url + "/_sim/commands", json={"replay": cid}, timeout=5)
    replay = machine.outcome(cid, index=-1)
    assert (replay["status"], replay["reason"]) == ("refused", "replayed")


def test_cut_after_a_change_that_commits_with_its_ack(machine, child):
    """tray.out_of_service commits the tray and the acknowledgement together: a cut
    after the commit leaves both, and the ack leaves with the outbox after restart."""
    child.start("command.after_done")
    machine.city.set_faults(down=True)              # the ack cannot leave before the cut
    cid = machine.send("tray.out_of_service", {"tray": "A04"})
    time.sleep(0.5)
    machine.city.set_faults(down=False)
    # the command is only handed over once the city answers again
    assert child.died(30) == 137
    with db(child) as conn:
        assert conn.execute("SELECT state FROM trays WHERE id = 'A04'").fetchone()[0] == \
            "OUT_OF_SERVICE"
        acks = conn.execute("SELECT COUNT(*) FROM journal WHERE action = 'command.done'"
                            ).fetchone()[0]
        assert acks == 1
    child.start()
    out = machine.outcome(cid, timeout=20)
    assert out["status"] == "done"
    with db(child) as conn:
        assert conn.execute("SELECT COUNT(*) FROM journal WHERE action = 'command.done'"
                            ).fetchone()[0] == 1, "acknowledged once, not run again"


def test_cut_after_a_side_effect_is_not_repeated(machine, child):
    """catalog.reload does its work outside the transaction: a cut between the work and
    the acknowledgement is reported as interrupted, and the work is not done twice."""
    child.start("command.after_run")
    cid = machine.send("catalog.reload")
    assert child.died() == 137
    child.start()
    out = machine.outcome(cid, timeout=20)
    assert (out["status"], out["reason"]) == ("refused", "interrupted")
    with db(child) as conn:
        assert conn.execute("SELECT COUNT(*) FROM journal WHERE action = "
                            "'command.received'").fetchone()[0] == 1


def test_cut_after_a_hotline_opening_never_opens_again(machine, child):
    """The tray opened for hotline help, then the power failed before the kiosk could
    acknowledge: after the restart the tray waits for a person (UNKNOWN), the command
    is reported interrupted, and neither a replay nor the restart pulses the latch."""
    from kiosk.clock import SystemClock
    from kiosk.pii import Pii
    from kiosk.services.ledger import Ledger
    from kiosk.store import Store
    from tests.fleet.test_hotline import BOARD, LOCK, TRAY, load_result
    child.start()                                   # a first start makes the database
    child.kill()
    store = Store.open(child.cfg.db_path)

    class _S:
        ledger = Ledger(store, SystemClock(), Pii(b"k" * 32), kiosk_id="SIM-BINHTAY-01")
    load_result(machine, _S)
    store.close()
    code_file = machine.tmp / "help-code"
    os.environ["FLEET_TEST_HELP_CODE_FILE"] = str(code_file)
    try:
        child.start("command.after_run")
    finally:
        del os.environ["FLEET_TEST_HELP_CODE_FILE"]
    cid = machine.send("tray.open_for_help", {"tray": TRAY,
                                              "help_code": code_file.read_text()})
    assert child.died() == 137
    assert machine.sims["locks"].unlocks() == [(BOARD, LOCK)]
    child.start()
    out = machine.outcome(cid, timeout=20)
    assert (out["status"], out["reason"]) == ("refused", "interrupted")
    with db(child) as conn:
        assert conn.execute("SELECT state FROM trays WHERE id = ?", (TRAY,)).fetchone()[0] \
            == "UNKNOWN"
    import requests
    requests.post(machine.city.url + "/_sim/commands", json={"replay": cid}, timeout=5)
    assert machine.outcome(cid, index=-1)["reason"] == "replayed"
    assert machine.sims["locks"].unlocks() == [(BOARD, LOCK)], "the latch moved once only"
