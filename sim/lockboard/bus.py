"""Several simulated boards sharing one pseudo-terminal, like boards on one RS485 pair.

A thread reads the host's bytes, answers each command from the addressed board (or stays
silent, as an absent board does) and logs every frame on the line in ``frames_log``.
All control methods are thread-safe; tests and the technician window call them freely.
"""
from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from sim.lockboard.board import SimBoard, SimError
from sim.lockboard.frames import UNLOCK, CommandReader, status_reply
from sim.ptylink import PtyDevice, PtyLink


@dataclass(frozen=True)
class FrameLogEntry:
    at: float            # time.monotonic()
    direction: str       # "host" (a command), "board" (a reply), "noise" (anything else)
    data: bytes
    board: int | None = None
    lock: int | None = None
    command: str | None = None     # "status" | "unlock" for host frames

    def __repr__(self):
        what = f" {self.command} b{self.board}" + (f" l{self.lock}" if self.command == "unlock"
                                                    else "") if self.command else ""
        return f"<{self.direction}{what} {self.data.hex(' ')}>"


class SimLockBus(PtyDevice):
    def __init__(self, path: str | os.PathLike | None = None, boards: Iterable[int] | dict = (0,),
                 *, item_sensors: bool = True, seed: int | None = None,
                 line_baud: int | None = None):
        """``boards``: addresses, or ``{address: {"item_sensors": bool}}``.

        ``line_baud``: also spend the time the command and the reply take on a real
        RS485 line at that speed (10 bits a byte); None answers as fast as the pty goes.
        """
        self.line_baud = line_baud
        if isinstance(boards, dict):
            specs = boards
        else:
            specs = {int(b): {} for b in boards}
        self.boards: dict[int, SimBoard] = {
            addr: SimBoard(addr, item_sensors=opts.get("item_sensors", item_sensors))
            for addr, opts in specs.items()}
        self.link = PtyLink(path)
        self._reader = CommandReader()
        self._log: list[FrameLogEntry] = []
        self._log_lock = threading.Lock()
        self._rng = random.Random(seed)
        self._listeners: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sim-lockbus {self.path}",
                                        daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        return self.link.path

    # ---- control API -------------------------------------------------------------------
    def board(self, address: int) -> SimBoard:
        try:
            return self.boards[address]
        except KeyError:
            raise SimError(f"no simulated board at address {address}; this bus has "
                           f"{sorted(self.boards)}") from None

    def close_door(self, board: int, lock: int) -> None:
        self.board(board).close_door(lock)
        self._changed()

    def force_open(self, board: int, lock: int) -> None:
        self.board(board).force_open(lock)
        self._changed()

    def put_item(self, board: int, lock: int) -> None:
        self.board(board).put_item(lock)
        self._changed()

    def remove_item(self, board: int, lock: int) -> None:
        self.board(board).remove_item(lock)
        self._changed()

    def set_fault(self, board: int, name: str, on: bool = True, **params) -> None:
        """Switch a fault; params: ``times=N`` (only the next N replies), ``delay_s``
        (slow), ``lock`` (broken_sensor on one lock only), ``length`` (garbage bytes)."""
        self.board(board).set_fault(name, on, **params)
        self._changed()

    def clear_faults(self, board: int | None = None) -> None:
        for b in ([self.board(board)] if board is not None else self.boards.values()):
            for name in list(b.faults):
                b.set_fault(name, False)
        self._changed()

    def inject_noise(self, data: bytes | None = None, length: int = 16) -> bytes:
        """Put bytes on the line now, as interference would."""
        data = data if data is not None else bytes(self._rng.randrange(256)
                                                   for _ in range(length))
        self._append(FrameLogEntry(time.monotonic(), "noise", data))
        self.link.write(data)
        return data

    def is_open(self, board: int, lock: int) -> bool:
        return self.board(board).door_open[lock - 1]

    def snapshot(self) -> dict[int, dict]:
        return {addr: b.snapshot() for addr, b in sorted(self.boards.items())}

    def add_listener(self, callback: Callable[[], None]) -> None:
        """``callback()`` after any change of doors, items, faults (any thread)."""
        self._listeners.append(callback)

    @property
    def frames_log(self) -> list[FrameLogEntry]:
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def unlocks(self) -> list[tuple[int, int]]:
        """(board, lock) of every unlock command seen on the line, in order."""
        return [(e.board, e.lock) for e in self.frames_log
                if e.direction == "host" and e.command == "unlock"]

    # ---- the line ----------------------------------------------------------------------
    def _append(self, entry: FrameLogEntry) -> None:
        with self._log_lock:
            self._log.append(entry)
            if len(self._log) > 200_000:
                del self._log[:100_000]

    def _changed(self) -> None:
        for cb in list(self._listeners):
            try:
                cb()
            except Exception:
                pass

    def _run(self) -> None:
        while not self._stop.is_set():
            data = self.link.read(timeout=0.05)
            if not data:
                continue
            commands, junk = self._reader.feed(data)
            now = time.monotonic()
            if junk:
                self._append(FrameLogEntry(now, "noise", junk))
            for cmd in commands:
                self._append(FrameLogEntry(now, "host", cmd.raw, cmd.board, cmd.lock,
                                           "unlock" if cmd.code == UNLOCK else "status"))
                self._answer(cmd)

    def _answer(self, cmd) -> None:
        board = self.boards.get(cmd.board)
        if board is None or board.has_fault("silent"):
            return                                  # absent or dead: no answer
        if cmd.code == UNLOCK:
            board.pulse(cmd.lock)
            self._changed()
        hooks, items = board.sensed()
        reply = bytearray(status_reply(board.address, hooks, items))
        if self.line_baud:
            time.sleep((len(cmd.raw) + len(reply)) * 10 / self.line_baud)
        if board.has_fault("slow"):
            # a slow board answers late; switching the fault off (or closing the bus)
            # lets the pending answer go at once
            until = time.monotonic() + board.fault_param("slow", "delay_s", 0.15)
            while (time.monotonic() < until and board.has_fault("slow")
                   and not self._stop.is_set()):
                time.sleep(0.005)
        if board.has_fault("garbage"):
            n = board.fault_param("garbage", "length", 12)
            self.inject_noise(bytes(self._rng.randrange(256) for _ in range(n)))
        if board.use_fault("corrupt"):
            reply[3 + self._rng.randrange(4)] ^= 1 << self._rng.randrange(8)
        if self._stop.is_set():
            return
        self._append(FrameLogEntry(time.monotonic(), "board", bytes(reply), board.address))
        self.link.write(bytes(reply))
