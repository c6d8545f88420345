"""The ports the kiosk core talks to. Drivers implement them; the core never imports a driver.

Every device reports an XFS-style status (online, offline, hwerror, busy) with a human
message and what to do, for diagnostics and the city heartbeat.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, runtime_checkable


class DeviceStatus(str, enum.Enum):
    ONLINE = "online"
    OFFLINE = "offline"
    HWERROR = "hwerror"
    BUSY = "busy"


@dataclass(frozen=True)
class DeviceHealth:
    device: str
    status: DeviceStatus
    detail: str = ""          # what is wrong, in words
    advice: str = ""          # what a technician should do
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in (DeviceStatus.ONLINE, DeviceStatus.BUSY)


class DeviceError(Exception):
    """A device failed in a way the kiosk must report; message says what to do."""

    def __init__(self, message: str, advice: str = ""):
        super().__init__(message)
        self.advice = advice


class DoorState(str, enum.Enum):
    CLOSED = "closed"        # closed but the hook not engaged (GPIO reed only knows closed/open)
    OPEN = "open"
    LOCKED = "locked"        # closed and latched
    TAMPERED = "tampered"    # opened with no unlock command
    UNKNOWN = "unknown"      # board offline, no reading


@dataclass(frozen=True)
class TrayReading:
    tray: str
    door: DoorState
    occupied: bool | None = None   # None: no item sensor on that board


@runtime_checkable
class LockBank(Protocol):
    def unlock(self, tray: str, txn: str) -> TrayReading:
        """Pulse the latch of one tray; the reading is taken right after the pulse."""

    def status(self) -> dict[str, TrayReading]:
        """Current reading of every tray this bank drives."""

    def health(self) -> list[DeviceHealth]: ...

    def close(self) -> None: ...


@runtime_checkable
class DoorSensors(Protocol):
    def read(self) -> dict[str, TrayReading]: ...

    def close(self) -> None: ...


class PrinterState(str, enum.Enum):
    OK = "ok"
    PAPER_NEAR_END = "paper-near-end"
    PAPER_OUT = "paper-out"
    COVER_OPEN = "cover-open"
    OFFLINE = "offline"


@runtime_checkable
class Printer(Protocol):
    def print_image(self, image, txn: str, qr_codes: Iterable = ()) -> int:
        """Print one receipt image (PIL, 1-bit, printer width); returns bytes sent."""

    def state(self) -> PrinterState: ...

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


class ScannerState(str, enum.Enum):
    OK = "ok"
    JAM = "jam"
    NO_PAPER = "no-paper"
    COVER_OPEN = "cover-open"
    OFFLINE = "offline"


@runtime_checkable
class Scanner(Protocol):
    def scan(self, txn: str) -> list:
        """Scan every page in the feeder; returns PIL images."""

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


@runtime_checkable
class CodeReader(Protocol):
    def subscribe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(text)`` (from a reader thread) for each decoded code."""

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


@runtime_checkable
class SmsModem(Protocol):
    def send(self, number: str, text: str) -> str:
        """Send one SMS; returns the modem's message reference."""

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


@runtime_checkable
class Indicators(Protocol):
    def tray_light(self, tray: str, on: bool) -> None: ...

    def buzzer(self, pattern: str) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class PowerMonitor(Protocol):
    def on_battery(self) -> bool: ...

    def subscribe(self, callback: Callable[[bool], None]) -> None: ...

    def close(self) -> None: ...
