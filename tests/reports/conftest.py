"""The report tests' ledger: 40 trays, a clock at local midnight of 1 March 2026, and
a store that skips the fsync of each commit (the figures, not durability, are tested
here; durability has its own tests)."""
from datetime import datetime

import pytest

from kiosk.clock import ManualClock
from kiosk.config.cabinets import TraySpec


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 1, 0, 0))


@pytest.fixture
def ledger_trays():
    return [TraySpec(f"A{i:02d}", "A", "M", None, None, None, None, None, None)
            for i in range(40)]


@pytest.fixture
def store(tmp_path):
    from kiosk.store import Store
    s = Store.open(tmp_path / "kiosk.db")
    s.conn.execute("PRAGMA synchronous = OFF")
    yield s
    s.close()
