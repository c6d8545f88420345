"""DoorService over GPIO relays and reed switches (gpiozero MockFactory)."""
import pytest
from gpiozero.pins.mock import MockFactory

from hardware.gpio_locks import GpioLockBank, GpioTray
from hardware.ports import DoorState
from kiosk.models import TrayState as T
from kiosk.services.doors import DoorService

RELAY, REED = 17, 27          # tray A01


@pytest.fixture
def pins():
    factory = MockFactory()
    yield factory
    factory.reset()


def gpio_doors(ledger, clock, pins, on_pulse):
    bank = GpioLockBank([GpioTray("A01", RELAY, REED), GpioTray("A02", 22, 23)],
                        pin_factory=pins, pulse_s=0.5, sleep=on_pulse)
    pins.pin(REED).drive_low()                 # doors shut (reed to ground, pull-up)
    pins.pin(23).drive_low()
    return bank, DoorService(ledger, bank, clock, confirm_s=0.2, confirm_poll_s=0.05)


def test_open_and_close_by_reed(ledger, clock, pins):
    # during the pulse the spring pushes the door away from the reed switch
    bank, doors = gpio_doors(ledger, clock, pins, lambda s: pins.pin(REED).drive_high())
    got = []
    doors.add_listener(lambda tray, door, occ: got.append((tray, door, occ)))
    with bank:
        ledger.move_tray("A01", T.RESERVED, actor="citizen", reason="deposit", txn="g1")
        assert doors.open("A01", actor="citizen", reason="deposit", txn="g1")
        assert ledger.tray("A01")["state"] == T.OPEN.value
        pins.pin(REED).drive_low()
        doors.poll_once()
        assert got == [("A01", DoorState.OPEN, None), ("A01", DoorState.CLOSED, None)]
        pins.pin(23).drive_high()              # A02 forced
        doors.poll_once()
        assert ledger.tray("A02")["state"] == T.TAMPERED.value


def test_latch_that_does_not_release(ledger, clock, pins):
    bank, doors = gpio_doors(ledger, clock, pins, lambda s: None)
    with bank:
        ledger.move_tray("A01", T.RESERVED, actor="citizen", reason="deposit", txn="g2")
        assert doors.open("A01", actor="citizen", reason="deposit", txn="g2") is False
        assert ledger.tray("A01")["state"] == T.RESERVED.value


def test_pulse_interrupted_leaves_the_tray_unknown(ledger, clock, pins):
    def brownout(seconds):
        raise RuntimeError("relay driver lost power")

    bank, doors = gpio_doors(ledger, clock, pins, brownout)
    with bank:
        ledger.move_tray("A01", T.RESERVED, actor="citizen", reason="deposit", txn="g3")
        with pytest.raises(RuntimeError):
            doors.open("A01", actor="citizen", reason="deposit", txn="g3")
        assert ledger.tray("A01")["state"] == T.UNKNOWN.value
        assert pins.pin(RELAY).state is False  # the relay is never left energised
