"""The cabinets and how their trays are wired: lock buses, lock boards, tray groups on
a board or on GPIO pins, and the checks across them (no tray, lock or pin used twice)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from kiosk.config.sections import _Section

TRAY_SIZES = ("S", "M", "L")


class LockBus(_Section):
    id: Annotated[str, Field(min_length=1)]
    port: Annotated[str, Field(min_length=1)]
    baud: Literal[9600, 19200, 38400, 57600, 115200] = 19200
    reply_timeout_ms: Annotated[int, Field(ge=20, le=2000)] = 200
    retries: Annotated[int, Field(ge=0, le=10)] = 3


class LockBoard(_Section):
    bus: str
    address: Annotated[int, Field(ge=0, le=15)]
    locks: Annotated[int, Field(ge=1, le=16)] = 16
    item_sensors: bool = False


class TrayGroup(_Section):
    """A run of trays of one size on one board (or on GPIO pins)."""

    first: Annotated[int, Field(ge=1, le=99)]
    count: Annotated[int, Field(ge=1, le=99)]
    size: Literal["S", "M", "L"]
    board: int | None = None          # board address on the cabinet's boards
    first_lock: Annotated[int, Field(ge=1, le=16)] = 1
    relay_pins: list[int] | None = None   # GPIO alternative: one relay per tray
    door_pins: list[int] | None = None    # and one reed switch per door

    @model_validator(mode="after")
    def _one_driver(self):
        if self.board is None and self.relay_pins is None:
            raise ValueError("a tray group needs either 'board' or 'relay_pins'")
        if self.board is not None and self.relay_pins is not None:
            raise ValueError("a tray group takes 'board' or 'relay_pins', not both")
        if self.relay_pins is not None:
            if len(self.relay_pins) != self.count:
                raise ValueError(f"relay_pins has {len(self.relay_pins)} pins for "
                                 f"{self.count} trays")
            if self.door_pins is None or len(self.door_pins) != self.count:
                raise ValueError(f"door_pins must list one pin per tray ({self.count})")
        if self.board is not None and self.first_lock + self.count - 1 > 16:
            raise ValueError(f"locks {self.first_lock}..{self.first_lock + self.count - 1} "
                             "run past lock 16 of the board")
        return self


class Cabinet(_Section):
    id: Annotated[str, Field(pattern=r"^[A-Z]$")]
    tray_count: Annotated[int, Field(ge=1, le=99)]
    boards: list[LockBoard] = []
    trays: Annotated[list[TrayGroup], Field(min_length=1)]


def wiring_problems(lock_buses: list[LockBus], cabinets: list[Cabinet]) -> list[str]:
    """One line per problem across buses, boards and tray groups (empty when sound)."""
    problems: list[str] = []
    bus_ids = [b.id for b in lock_buses]
    for dup in sorted({b for b in bus_ids if bus_ids.count(b) > 1}):
        problems.append(f"lock_buses: bus id {dup!r} appears twice")
    cab_ids = [c.id for c in cabinets]
    for dup in sorted({c for c in cab_ids if cab_ids.count(c) > 1}):
        problems.append(f"cabinets: cabinet id {dup!r} appears twice")
    seen_trays: dict[str, str] = {}
    seen_locks: dict[tuple, str] = {}
    seen_pins: dict[int, str] = {}
    for ci, cab in enumerate(cabinets):
        where = f"cabinets[{ci}]"
        boards = {}
        for bi, board in enumerate(cab.boards):
            if board.bus not in bus_ids:
                problems.append(f"{where}.boards[{bi}].bus: unknown bus {board.bus!r}; "
                                f"expected one of {bus_ids or 'the [[lock_buses]] ids'}")
            key = (board.bus, board.address)
            if key in boards.values() or any(
                    (b.bus, b.address) == key for c in cabinets[:ci] for b in c.boards):
                problems.append(f"{where}.boards[{bi}]: address {board.address} on bus "
                                f"{board.bus!r} is used twice")
            boards[board.address] = key
        total = 0
        for gi, grp in enumerate(cab.trays):
            gwhere = f"{where}.trays[{gi}]"
            total += grp.count
            for n in range(grp.first, grp.first + grp.count):
                tid = f"{cab.id}{n:02d}"
                if tid in seen_trays:
                    problems.append(f"{gwhere}: duplicate tray id {tid} "
                                    f"(already in {seen_trays[tid]})")
                seen_trays[tid] = gwhere
            if grp.board is not None:
                match = [b for b in cab.boards if b.address == grp.board]
                if not match:
                    problems.append(f"{gwhere}.board: unknown board {grp.board}; cabinet "
                                    f"{cab.id} has boards "
                                    f"{[b.address for b in cab.boards] or 'none'}")
                    continue
                board = match[0]
                last = grp.first_lock + grp.count - 1
                if last > board.locks:
                    problems.append(f"{gwhere}: locks {grp.first_lock}..{last} but board "
                                    f"{board.address} has {board.locks} locks")
                for lock in range(grp.first_lock, last + 1):
                    k = (board.bus, board.address, lock)
                    if k in seen_locks:
                        problems.append(f"{gwhere}: lock {lock} of board {board.address} "
                                        f"already drives {seen_locks[k]}")
                    seen_locks[k] = gwhere
            else:
                for pin in (grp.relay_pins or []) + (grp.door_pins or []):
                    if pin in seen_pins:
                        problems.append(f"{gwhere}: GPIO pin {pin} already used by "
                                        f"{seen_pins[pin]}")
                    seen_pins[pin] = gwhere
        if total != cab.tray_count:
            problems.append(f"{where}.tray_count: cabinet {cab.id} says {cab.tray_count} trays but the "
                            f"tray groups define {total}")
    return problems


class TraySpec:
    """Where one tray is wired: (bus, board, lock) or (relay pin, door pin)."""

    __slots__ = ("id", "cabinet", "size", "bus", "board", "lock", "relay_pin", "door_pin",
                 "item_sensor")

    def __init__(self, id, cabinet, size, bus, board, lock, relay_pin, door_pin, item_sensor):
        self.id, self.cabinet, self.size = id, cabinet, size
        self.bus, self.board, self.lock = bus, board, lock
        self.relay_pin, self.door_pin, self.item_sensor = relay_pin, door_pin, item_sensor

    def __repr__(self):
        return f"TraySpec({self.id}, {self.size}, bus={self.bus}, board={self.board}, lock={self.lock})"
