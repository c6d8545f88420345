"""Fixtures of the lock tests: simulated boards on a real pty, a real SQLite ledger
with the trays of config/sim.toml (shared fixtures: tests/support/fixtures.py)."""
from __future__ import annotations

import pytest

from hardware.lockboard.driver import BusSpec, SerialLockBank
from kiosk.services.doors import DoorService
# the shared fixtures and helpers; the names stay importable from here
from tests.support.fixtures import (bank, board_lock, profile, sim_bus,  # noqa: F401
                                    sim_profile, wiring_for)

FAST_DELAYS = (0.01, 0.01, 0.01)


@pytest.fixture
def ledger_trays(profile):
    return profile.trays()


@pytest.fixture
def quick_bank(profile):
    """Same trays, short retry gaps (tests that expect many silent commands)."""
    spec = profile.lock_buses[0]
    b = SerialLockBank([BusSpec(spec.id, str(profile.path(spec.port)), spec.baud, 0.1,
                                spec.retries)], wiring_for(profile), retry_delays=FAST_DELAYS)
    yield b
    b.close()


@pytest.fixture
def doors(ledger, bank, clock):
    """A door service whose poller is not started: tests call poll_once() themselves."""
    svc = DoorService(ledger, bank, clock, poll_s=2.0, busy_poll_s=0.5, confirm_s=0.3,
                      confirm_poll_s=0.05, door_open_alert_s=120)
    yield svc
    svc.close()


def settle(condition, timeout_s: float = 5.0) -> bool:
    """True once ``condition()`` holds: the simulator logs a frame from its own thread,
    a moment after the driver gave up waiting for it."""
    import time
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
