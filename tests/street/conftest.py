"""Fixtures of the street-machine tests: a real ledger on SQLite, a manual clock."""
from __future__ import annotations

import pytest

from kiosk.clock import ManualClock
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.store import Store


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "kiosk.db")
    yield s
    s.close()


@pytest.fixture
def ledger(store, clock):
    return Ledger(store, clock, Pii(b"street-test-key-0123456789abcdef"), kiosk_id="TEST-ST")
