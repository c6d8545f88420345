"""``SerialLockBank``: the trays of one or more RS485 buses of CU16-type lock boards.

Per command: clear the input buffer, send, wait at most ``reply_timeout`` for a reply
from the addressed board (checksum, length and address checked), retry up to
``retries`` times 0.10 / 0.15 / 0.20 s apart. A board that stays silent is ``offline``;
once offline it gets one attempt per status read (no retries) so that a dead board does
not slow the polling of the others, and it is ``online`` again on its first good reply.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

from hardware.lockboard.codec import (BoardStatus, encode_reply, encode_status, encode_unlock,
                                      find_reply)
from hardware.lockboard.transport import SerialTransport, TransportError
from hardware.ports import DeviceError, DeviceHealth, DeviceStatus, DoorState, TrayReading

log = logging.getLogger("hardware.lockboard")

RETRY_DELAYS = (0.10, 0.15, 0.20)


class BoardOffline(DeviceError):
    """A lock board did not answer after every retry."""


class UnknownTray(DeviceError):
    """A tray id that this lock bank does not drive."""


@dataclass(frozen=True)
class BusSpec:
    id: str
    port: str
    baud: int = 19200
    reply_timeout_s: float = 0.200
    retries: int = 3


@dataclass(frozen=True)
class TrayWiring:
    tray: str
    bus: str
    board: int
    lock: int
    item_sensor: bool = False


@dataclass(frozen=True)
class Exchange:
    """One command and its outcome, for diagnostics and the frame tests."""

    bus: str
    txn: str
    request: bytes
    reply: bytes | None       # the 9 reply bytes, None when the board stayed silent
    attempts: int
    started: float            # time.monotonic()
    elapsed_s: float


def offline_advice(bus: BusSpec, board: int) -> str:
    return (f"check the RS485 wiring (A/B not swapped, 120 ohm termination at both ends), "
            f"that the board's address switches read {board}, that it is powered, and that "
            f"it runs at {bus.baud} baud on {bus.port}")


class LockBoardBus:
    """The boards on one serial port: status and unlock commands with retries."""

    def __init__(self, spec: BusSpec, transport: SerialTransport, *,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS,
                 record: Callable[[Exchange], None] | None = None):
        self.spec = spec
        self.transport = transport
        self.retry_delays = retry_delays
        self._record = record
        self._health_lock = threading.Lock()
        self._state: dict[int, tuple[DeviceStatus, str, str]] = {}

    def status(self, board: int, txn: str = "", *, retries: int | None = None) -> BoardStatus:
        return self._command(board, encode_status(board), txn, retries)

    def unlock(self, board: int, lock: int, txn: str) -> BoardStatus:
        """Pulse one latch; the reply (the board's status right after) is returned."""
        return self._command(board, encode_unlock(board, lock), txn, None)

    def is_offline(self, board: int) -> bool:
        with self._health_lock:
            return self._state.get(board, (DeviceStatus.ONLINE,))[0] != DeviceStatus.ONLINE

    def _command(self, board: int, frame: bytes, txn: str, retries: int | None) -> BoardStatus:
        attempts = 1 + (self.spec.retries if retries is None else retries)
        started = time.monotonic()
        port_errors: list[TransportError] = []
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.retry_delays[min(attempt, len(self.retry_delays)) - 1])
            try:
                reply, _raw = self.transport.exchange(
                    frame, lambda buf: find_reply(buf, board), self.spec.reply_timeout_s)
            except TransportError as exc:
                port_errors.append(exc)
                log.warning("bus %s: %s", self.spec.id, exc)
                continue
            if reply is not None:
                self._log(frame, reply, txn, attempt + 1, started)
                self._set(board, DeviceStatus.ONLINE, "", "")
                return reply
        self._log(frame, None, txn, attempts, started)
        if len(port_errors) == attempts:
            err = port_errors[-1]
            self._set(board, DeviceStatus.HWERROR, str(err), err.advice)
            raise err
        message = (f"lock board {board} on bus {self.spec.id} ({self.spec.port}) did not "
                   f"answer after {attempts} attempt{'s' if attempts > 1 else ''}")
        advice = offline_advice(self.spec, board)
        self._set(board, DeviceStatus.OFFLINE, message, advice)
        raise BoardOffline(message, advice)

    def _log(self, frame: bytes, reply: BoardStatus | None, txn: str, attempts: int,
             started: float) -> None:
        if self._record is None:
            return
        self._record(Exchange(self.spec.id, txn, frame,
                              encode_reply(reply) if reply is not None else None,
                              attempts, started, time.monotonic() - started))

    def _set(self, board: int, status: DeviceStatus, detail: str, advice: str) -> None:
        with self._health_lock:
            before = self._state.get(board, (None,))[0]
            self._state[board] = (status, detail, advice)
        if before != status:
            (log.info if status == DeviceStatus.ONLINE else log.error)(
                "lock board %s on bus %s: %s%s", board, self.spec.id, status.value,
                f" ({detail}; {advice})" if detail else "")

    def health(self, boards: Iterable[int]) -> list[DeviceHealth]:
        out = []
        with self._health_lock:
            for board in boards:
                status, detail, advice = self._state.get(
                    board, (DeviceStatus.ONLINE, "not polled yet", ""))
                out.append(DeviceHealth(f"lockboard:{self.spec.id}:{board}", status, detail,
                                        advice, {"port": self.spec.port, "board": board,
                                                 "baud": self.spec.baud}))
        return out


def reading_for(wiring: TrayWiring, status: BoardStatus) -> TrayReading:
    closed = status.is_closed(wiring.lock)
    return TrayReading(wiring.tray, DoorState.LOCKED if closed else DoorState.OPEN,
                       status.is_occupied(wiring.lock) if wiring.item_sensor else None)


class SerialLockBank:
    """``hardware.ports.LockBank`` over RS485 lock boards on one or more serial ports."""

    def __init__(self, buses: Iterable[BusSpec], trays: Iterable[TrayWiring], *,
                 transport_factory: Callable[[BusSpec], SerialTransport] | None = None,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS, log_size: int = 5000):
        self.exchanges: deque[Exchange] = deque(maxlen=log_size)
        self._exchanges_lock = threading.Lock()
        make = transport_factory or (lambda spec: SerialTransport(spec.port, spec.baud))
        self.buses: dict[str, LockBoardBus] = {}
        for spec in buses:
            self.buses[spec.id] = LockBoardBus(spec, make(spec), retry_delays=retry_delays,
                                               record=self._record)
        self.wiring: dict[str, TrayWiring] = {}
        for w in trays:
            if w.bus not in self.buses:
                raise ValueError(f"tray {w.tray} is wired to unknown bus {w.bus!r}")
            self.wiring[w.tray] = w
        self._boards: dict[tuple[str, int], list[TrayWiring]] = {}
        for w in self.wiring.values():
            self._boards.setdefault((w.bus, w.board), []).append(w)
        self._closed = False

    def _record(self, exchange: Exchange) -> None:
        with self._exchanges_lock:
            self.exchanges.append(exchange)

    def recent_exchanges(self) -> list[Exchange]:
        with self._exchanges_lock:
            return list(self.exchanges)

    @property
    def trays(self) -> list[str]:
        return list(self.wiring)

    def _wiring(self, tray: str) -> TrayWiring:
        try:
            return self.wiring[tray]
        except KeyError:
            raise UnknownTray(f"tray {tray!r} is not wired to any lock board",
                              "check the tray id against the profile's cabinets") from None

    def unlock(self, tray: str, txn: str) -> TrayReading:
        if not txn:
            raise ValueError("every unlock belongs to a transaction; pass its txn id")
        w = self._wiring(tray)
        log.info("unlock tray %s (bus %s board %d lock %d) txn %s",
                 tray, w.bus, w.board, w.lock, txn)
        return reading_for(w, self.buses[w.bus].unlock(w.board, w.lock, txn))

    def read_tray(self, tray: str) -> TrayReading:
        """A fresh reading of one tray (one status command to its board)."""
        w = self._wiring(tray)
        return reading_for(w, self.buses[w.bus].status(w.board))

    def _bus_status(self, bus_id: str) -> dict[str, TrayReading]:
        out: dict[str, TrayReading] = {}
        bus = self.buses[bus_id]
        for (bid, board), wirings in self._boards.items():
            if bid != bus_id:
                continue
            try:
                reply = bus.status(board, retries=0 if bus.is_offline(board) else None)
            except DeviceError:
                for w in wirings:
                    out[w.tray] = TrayReading(w.tray, DoorState.UNKNOWN, None)
                continue
            for w in wirings:
                out[w.tray] = reading_for(w, reply)
        return out

    def status(self) -> dict[str, TrayReading]:
        """Every tray's reading; buses are read side by side, so a dead board on one
        bus does not delay the doors of another. A silent board's trays read UNKNOWN."""
        bus_ids = [b for b in self.buses if any(bid == b for bid, _ in self._boards)]
        if len(bus_ids) <= 1:
            return self._bus_status(bus_ids[0]) if bus_ids else {}
        results: dict[str, dict[str, TrayReading]] = {}

        def read(bus_id: str) -> None:
            try:
                results[bus_id] = self._bus_status(bus_id)
            except Exception:       # never lose the other buses' readings
                log.exception("reading bus %s failed", bus_id)
                results[bus_id] = {w.tray: TrayReading(w.tray, DoorState.UNKNOWN, None)
                                   for (bid, _), ws in self._boards.items() if bid == bus_id
                                   for w in ws}

        threads = [threading.Thread(target=read, args=(b,), name=f"lockbus-read {b}")
                   for b in bus_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out: dict[str, TrayReading] = {}
        for bus_id in bus_ids:
            out.update(results[bus_id])
        return out

    def health(self) -> list[DeviceHealth]:
        out = []
        for bus_id, bus in self.buses.items():
            out += bus.health(sorted(b for (bid, b) in self._boards if bid == bus_id))
        return out

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for bus in self.buses.values():
            bus.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
