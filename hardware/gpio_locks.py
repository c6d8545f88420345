"""``GpioLockBank``: one relay output per tray latch and one reed switch per door (gpiozero).

For small cabinets wired straight to a Raspberry Pi. A reed switch only knows closed or
open, so closed doors read ``DoorState.CLOSED`` (never ``LOCKED``) and there is no item
sensor. Pins and polarity come from the profile; tests pass gpiozero's ``MockFactory``.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from gpiozero import Button, OutputDevice
from gpiozero.exc import GPIOZeroError

from hardware.ports import DeviceError, DeviceHealth, DeviceStatus, DoorState, TrayReading

log = logging.getLogger("hardware.gpio_locks")
log.addHandler(logging.NullHandler())


class GpioSetupError(DeviceError):
    """A pin could not be claimed (wrong number, in use, no GPIO library)."""


@dataclass(frozen=True)
class GpioTray:
    tray: str
    relay_pin: int
    door_pin: int


class GpioLockBank:
    """``hardware.ports.LockBank`` over GPIO relays and reed switches."""

    def __init__(self, trays: Iterable[GpioTray], *, relay_active_high: bool = True,
                 door_closed_when_high: bool = False, pulse_s: float = 0.5,
                 pin_factory=None, sleep: Callable[[float], None] = time.sleep):
        self.pulse_s = pulse_s
        self._sleep = sleep
        self._relays: dict[str, OutputDevice] = {}
        self._doors: dict[str, Button] = {}
        self._pulse_locks: dict[str, threading.Lock] = {}
        self._closed = False
        try:
            for t in trays:
                self._relays[t.tray] = OutputDevice(t.relay_pin, active_high=relay_active_high,
                                                    initial_value=False,
                                                    pin_factory=pin_factory)
                # Reed to ground with a pull-up reads low when the magnet is near (closed);
                # reed to 3V3 with a pull-down reads high. Either way "pressed" = closed.
                self._doors[t.tray] = Button(t.door_pin, pull_up=not door_closed_when_high,
                                             pin_factory=pin_factory)
                self._pulse_locks[t.tray] = threading.Lock()
        except (GPIOZeroError, OSError, ValueError) as exc:
            self.close()
            raise GpioSetupError(f"cannot set up the GPIO pins for the trays: {exc}",
                                 "check relay_pins/door_pins in the profile, that no other "
                                 "program holds them, and gpio.pin_factory") from exc

    @property
    def trays(self) -> list[str]:
        return list(self._relays)

    def _reading(self, tray: str) -> TrayReading:
        closed = self._doors[tray].is_pressed
        return TrayReading(tray, DoorState.CLOSED if closed else DoorState.OPEN, None)

    def unlock(self, tray: str, txn: str) -> TrayReading:
        if not txn:
            raise ValueError("every unlock belongs to a transaction; pass its txn id")
        relay = self._relays.get(tray)
        if relay is None:
            raise DeviceError(f"tray {tray!r} has no GPIO relay",
                              "check the tray id against the profile's cabinets")
        log.info("unlock tray %s (GPIO relay %s, %.0f ms) txn %s", tray,
                 relay.pin, self.pulse_s * 1000, txn)
        with self._pulse_locks[tray]:
            relay.on()
            try:
                self._sleep(self.pulse_s)
            finally:
                relay.off()
        return self._reading(tray)

    def status(self) -> dict[str, TrayReading]:
        return {tray: self._reading(tray) for tray in self._doors}

    def health(self) -> list[DeviceHealth]:
        if self._closed:
            return [DeviceHealth("gpio-locks", DeviceStatus.OFFLINE, "closed",
                                 "restart the kiosk")]
        return [DeviceHealth("gpio-locks", DeviceStatus.ONLINE, "",
                             "", {"trays": len(self._relays)})]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for dev in list(self._relays.values()) + list(self._doors.values()):
            try:
                dev.close()
            except Exception:   # closing must never fail half-way
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
