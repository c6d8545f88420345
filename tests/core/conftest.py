"""The core tests' ledger starts with the trays of config/sim.toml (the shared clock,
store and ledger fixtures are in tests/support/fixtures.py)."""
import pytest

from kiosk.config import DEFAULT_CONFIG, load_config


@pytest.fixture
def ledger_trays():
    return load_config(DEFAULT_CONFIG).trays()
