"""Child process of the random-kill test: open trays one after another until killed.

    python tests/lock/loop_child.py DATA_DIR PORT RUN
"""
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hardware.lockboard.factory import build_lock_bank  # noqa: E402
from kiosk.clock import SystemClock  # noqa: E402
from kiosk.models import TrayState as T  # noqa: E402
from kiosk.pii import Pii  # noqa: E402
from kiosk.services.doors import DoorService  # noqa: E402
from kiosk.services.ledger import Ledger  # noqa: E402
from kiosk.store import Store  # noqa: E402
from tests.lock.conftest import sim_profile  # noqa: E402
from tests.lock.crash_child import KEY  # noqa: E402

TRAYS = [f"A{n:02d}" for n in range(1, 9)]


def main(data_dir: str, port: str, run: str) -> int:
    cfg = sim_profile(Path(data_dir), port)
    store = Store.open(Path(data_dir) / "kiosk.db")
    ledger = Ledger(store, SystemClock(), Pii(KEY), kiosk_id="TEST-LOCK")
    doors = DoorService(ledger, build_lock_bank(cfg), SystemClock(), confirm_s=0.05,
                        confirm_poll_s=0.01)
    print("ready", flush=True)
    for n in itertools.count():
        tray = TRAYS[n % len(TRAYS)]
        txn = f"run{run}-{n}"
        if ledger.tray(tray)["state"] != T.EMPTY.value:
            time.sleep(0.01)
            continue
        ledger.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit", txn=txn)
        if doors.open(tray, actor="citizen", reason="deposit", txn=txn):
            ledger.move_tray(tray, T.EMPTY, actor="citizen", reason="backed out", txn=txn)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
