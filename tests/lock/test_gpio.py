"""GpioLockBank on gpiozero's MockFactory: relay pulses and reed switches."""
import pytest
from gpiozero.pins.mock import MockFactory

from hardware.gpio_locks import GpioLockBank, GpioSetupError, GpioTray
from hardware.lockboard.factory import build_lock_bank
from hardware.ports import DoorState, LockBank

from .conftest import sim_profile


@pytest.fixture
def pins():
    factory = MockFactory()
    yield factory
    factory.reset()


def make_bank(pins, **kw):
    return GpioLockBank([GpioTray("C01", 17, 27), GpioTray("C02", 22, 23)],
                        pin_factory=pins, pulse_s=0.02, **kw)


def test_pulse_drives_the_relay_once(pins):
    with make_bank(pins) as bank:
        assert isinstance(bank, LockBank)
        relay = pins.pin(17)
        relay.clear_states()
        pins.pin(27).drive_high()          # the spring pushes the door open (reed opens)
        reading = bank.unlock("C01", "txn-g1")
        relay.assert_states([False, True, False])
        pins.pin(22).assert_states([False])   # the other relay never moved
        assert reading.door == DoorState.OPEN and reading.occupied is None


def test_reed_polarity_pull_up(pins):
    """Default wiring: reed to ground, pull-up; closed door = low."""
    with make_bank(pins) as bank:
        pins.pin(27).drive_low()
        pins.pin(23).drive_high()
        status = bank.status()
        assert status["C01"].door == DoorState.CLOSED
        assert status["C02"].door == DoorState.OPEN


def test_reed_polarity_pull_down(pins):
    with make_bank(pins, door_closed_when_high=True) as bank:
        pins.pin(27).drive_high()
        pins.pin(23).drive_low()
        status = bank.status()
        assert status["C01"].door == DoorState.CLOSED
        assert status["C02"].door == DoorState.OPEN


def test_active_low_relay_board(pins):
    with make_bank(pins, relay_active_high=False) as bank:
        relay = pins.pin(22)
        assert relay.state is True         # idle = high for an active-low relay board
        relay.clear_states()
        bank.unlock("C02", "txn-g2")
        relay.assert_states([True, False, True])


def test_unlock_needs_a_transaction_and_a_known_tray(pins):
    with make_bank(pins) as bank:
        with pytest.raises(ValueError, match="transaction"):
            bank.unlock("C01", "")
        with pytest.raises(Exception, match="no GPIO relay"):
            bank.unlock("Z99", "txn")


def test_pin_clash_is_a_setup_error(pins):
    with pytest.raises(GpioSetupError, match="GPIO pins"):
        GpioLockBank([GpioTray("C01", 5, 6), GpioTray("C02", 5, 7)], pin_factory=pins)


def test_close_is_idempotent(pins):
    bank = make_bank(pins)
    bank.close()
    bank.close()
    assert bank.health()[0].status.value == "offline"


def test_profile_with_serial_and_gpio_trays(tmp_path, sim_bus, pins):
    cabinets = [
        {"id": "A", "tray_count": 24,
         "boards": [{"bus": "bus-a", "address": 0, "locks": 16, "item_sensors": True},
                    {"bus": "bus-a", "address": 1, "locks": 16}],
         "trays": [{"first": 1, "count": 16, "size": "S", "board": 0},
                   {"first": 17, "count": 8, "size": "L", "board": 1}]},
        {"id": "G", "tray_count": 2,
         "trays": [{"first": 1, "count": 2, "size": "M", "relay_pins": [17, 22],
                    "door_pins": [27, 23]}]},
    ]
    cfg = sim_profile(tmp_path, sim_bus.path, cabinets=cabinets,
                      gpio={"pin_factory": "mock", "pulse_ms": 50})
    with build_lock_bank(cfg, pin_factory=pins) as bank:
        assert len(bank.trays) == 26
        pins.pin(27).drive_low()
        pins.pin(23).drive_low()
        status = bank.status()
        assert status["G01"].door == DoorState.CLOSED
        assert status["A17"].door == DoorState.LOCKED and status["A17"].occupied is None
        assert status["A01"].occupied is False
        pins.pin(17).clear_states()
        bank.unlock("G01", "txn-g3")
        pins.pin(17).assert_states([False, True, False])
        assert sim_bus.unlocks() == []
        bank.unlock("A17", "txn-s1")
        assert sim_bus.unlocks() == [(1, 1)]
        assert {h.device for h in bank.health()} >= {"gpio-locks", "lockboard:bus-a:0"}
