"""Build the one ``LockBank`` that drives every tray of a profile (serial and/or GPIO)."""
from __future__ import annotations

from hardware.lockboard.driver import BusSpec, SerialLockBank, TrayWiring, UnknownTray
from hardware.ports import DeviceHealth, TrayReading


class CompositeLockBank:
    """Several lock banks seen as one; each tray belongs to exactly one of them."""

    def __init__(self, banks: list):
        self.banks = list(banks)
        self._owner = {}
        for bank in self.banks:
            for tray in bank.trays:
                if tray in self._owner:
                    raise ValueError(f"tray {tray} is driven by two lock banks")
                self._owner[tray] = bank

    @property
    def trays(self) -> list[str]:
        return list(self._owner)

    def _bank(self, tray: str):
        try:
            return self._owner[tray]
        except KeyError:
            raise UnknownTray(f"tray {tray!r} is not driven by any lock bank",
                              "check the tray id against the profile's cabinets") from None

    def unlock(self, tray: str, txn: str) -> TrayReading:
        return self._bank(tray).unlock(tray, txn)

    def read_tray(self, tray: str) -> TrayReading:
        bank = self._bank(tray)
        if hasattr(bank, "read_tray"):
            return bank.read_tray(tray)
        return bank.status()[tray]

    def status(self) -> dict[str, TrayReading]:
        out: dict[str, TrayReading] = {}
        for bank in self.banks:
            out.update(bank.status())
        return out

    def health(self) -> list[DeviceHealth]:
        return [h for bank in self.banks for h in bank.health()]

    def recent_exchanges(self) -> list:
        """Recent commands on the serial buses (diagnostics, frame tests)."""
        return [e for bank in self.banks if hasattr(bank, "recent_exchanges")
                for e in bank.recent_exchanges()]

    def close(self) -> None:
        for bank in self.banks:
            bank.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def pin_factory_for(name: str):
    """gpiozero's pin factory named in ``[gpio] pin_factory`` (None: gpiozero chooses)."""
    if name == "auto":
        return None       # gpiozero's own choice (GPIOZERO_PIN_FACTORY or its fallbacks)
    if name == "mock":
        from gpiozero.pins.mock import MockFactory
        return MockFactory()
    if name == "lgpio":
        from gpiozero.pins.lgpio import LGPIOFactory
        return LGPIOFactory()
    if name == "rpigpio":
        from gpiozero.pins.rpigpio import RPiGPIOFactory
        return RPiGPIOFactory()
    from gpiozero.pins.native import NativeFactory
    return NativeFactory()


def build_lock_bank(cfg, pin_factory=None) -> CompositeLockBank:
    """All trays of ``cfg`` (a ``KioskConfig``): RS485 buses first, then GPIO trays.

    Nothing is opened here: serial ports open on first use, so one dead bus does not
    stop the kiosk from starting (its trays read UNKNOWN and go to FAULT).
    """
    specs = cfg.trays()
    banks = []
    serial_trays = [TrayWiring(t.id, t.bus, t.board, t.lock, bool(t.item_sensor))
                    for t in specs if t.bus is not None]
    if serial_trays:
        used = {w.bus for w in serial_trays}
        buses = [BusSpec(b.id, str(cfg.path(b.port)), b.baud, b.reply_timeout_ms / 1000.0,
                         b.retries) for b in cfg.lock_buses if b.id in used]
        banks.append(SerialLockBank(buses, serial_trays))
    gpio_trays = [t for t in specs if t.relay_pin is not None]
    if gpio_trays:
        from hardware.gpio_locks import GpioLockBank, GpioTray
        g = cfg.gpio
        banks.append(GpioLockBank(
            [GpioTray(t.id, t.relay_pin, t.door_pin) for t in gpio_trays],
            relay_active_high=g.relay_active_high,
            door_closed_when_high=g.door_closed_when_high, pulse_s=g.pulse_ms / 1000.0,
            pin_factory=pin_factory if pin_factory is not None else pin_factory_for(g.pin_factory)))
    return CompositeLockBank(banks)
