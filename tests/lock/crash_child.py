"""Child process of the crash tests: open one tray, and die where KIOSK_CRASHPOINT says.

    python tests/lock/crash_child.py DATA_DIR PORT TRAY TXN
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hardware.lockboard.factory import build_lock_bank  # noqa: E402
from kiosk.clock import SystemClock  # noqa: E402
from kiosk.pii import Pii  # noqa: E402
from kiosk.services.doors import DoorService  # noqa: E402
from kiosk.services.ledger import Ledger  # noqa: E402
from kiosk.store import Store  # noqa: E402
from tests.lock.conftest import sim_profile  # noqa: E402

KEY = b"lock-test-key-0123456789abcdef"


def main(data_dir: str, port: str, tray: str, txn: str) -> int:
    cfg = sim_profile(Path(data_dir), port)
    store = Store.open(Path(data_dir) / "kiosk.db")
    ledger = Ledger(store, SystemClock(), Pii(KEY), kiosk_id="TEST-LOCK")
    bank = build_lock_bank(cfg)
    doors = DoorService(ledger, bank, SystemClock(), confirm_s=0.3, confirm_poll_s=0.05)
    opened = doors.open(tray, actor="citizen", reason="deposit", txn=txn)
    print("survived, opened =", opened)
    bank.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
