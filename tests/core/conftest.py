import pytest

from kiosk.clock import ManualClock
from kiosk.config import load_config
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
    led = Ledger(store, clock, Pii(b"test-key-0123456789abcdef"), kiosk_id="TEST-01")
    led.sync_trays(load_config("config/sim.toml").trays())
    return led
