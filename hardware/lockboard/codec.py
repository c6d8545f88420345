"""Frames of the CU16-type lock board, as pure functions (no I/O).

Host -> board: ``STX ADDR CMD ETX SUM`` (5 bytes). Board -> host: ``STX ADDR 0x35 HOOK1-8
HOOK9-16 IR1-8 IR9-16 ETX SUM`` (9 bytes). SUM is the byte sum of everything before it.
ADDR carries the board address in the high nibble and the lock index (lock - 1) in the
low nibble. See docs/lockboard.md.
"""
from __future__ import annotations

from dataclasses import dataclass

STX = 0x02
ETX = 0x03
CMD_STATUS = 0x30
CMD_UNLOCK = 0x31
REPLY = 0x35
COMMAND_LEN = 5
REPLY_LEN = 9
LOCKS_PER_BOARD = 16
MAX_BOARD = 15


class FrameError(ValueError):
    """Bytes that are not a valid frame; the message says which check failed."""


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def _check_board(board: int) -> None:
    if not 0 <= board <= MAX_BOARD:
        raise ValueError(f"board address {board} is out of range; boards are 0..{MAX_BOARD}")


def _check_lock(lock: int) -> None:
    if not 1 <= lock <= LOCKS_PER_BOARD:
        raise ValueError(f"lock {lock} is out of range; locks are 1..{LOCKS_PER_BOARD}")


def _command(addr: int, cmd: int) -> bytes:
    body = bytes((STX, addr, cmd, ETX))
    return body + bytes((checksum(body),))


def encode_status(board: int) -> bytes:
    """Ask a board for its hook and item-sensor bits."""
    _check_board(board)
    return _command(board << 4, CMD_STATUS)


def encode_unlock(board: int, lock: int) -> bytes:
    """Pulse one latch; ``lock`` counts from 1 like the labels on the board."""
    _check_board(board)
    _check_lock(lock)
    return _command((board << 4) | (lock - 1), CMD_UNLOCK)


@dataclass(frozen=True)
class Command:
    board: int
    cmd: int
    lock: int | None       # 1..16 for unlock, None for status


def decode_command(frame: bytes) -> Command:
    """The inverse of encode_status/encode_unlock (used by tests and frame logs)."""
    if len(frame) != COMMAND_LEN:
        raise FrameError(f"command frame has {len(frame)} bytes; expected {COMMAND_LEN}")
    if frame[0] != STX or frame[3] != ETX:
        raise FrameError(f"command frame {frame.hex(' ')} lacks STX/ETX")
    if frame[4] != checksum(frame[:4]):
        raise FrameError(f"command frame {frame.hex(' ')} has a bad checksum")
    board, index = frame[1] >> 4, frame[1] & 0x0F
    if frame[2] == CMD_UNLOCK:
        return Command(board, CMD_UNLOCK, index + 1)
    if frame[2] == CMD_STATUS:
        return Command(board, CMD_STATUS, None)
    raise FrameError(f"command frame {frame.hex(' ')} has unknown command 0x{frame[2]:02X}")


def _bits_to_bools(lo: int, hi: int) -> tuple[bool, ...]:
    word = lo | (hi << 8)
    return tuple(bool(word >> i & 1) for i in range(LOCKS_PER_BOARD))


def _bools_to_bytes(flags: tuple[bool, ...]) -> tuple[int, int]:
    word = 0
    for i, flag in enumerate(flags):
        if flag:
            word |= 1 << i
    return word & 0xFF, word >> 8


@dataclass(frozen=True)
class BoardStatus:
    """One board's reply: ``closed[i]`` is lock i+1's hook engaged, ``occupied[i]`` its IR bit."""

    board: int
    closed: tuple[bool, ...]
    occupied: tuple[bool, ...]

    def __post_init__(self):
        _check_board(self.board)
        if len(self.closed) != LOCKS_PER_BOARD or len(self.occupied) != LOCKS_PER_BOARD:
            raise ValueError("a board status holds exactly 16 hook and 16 item flags")

    def is_closed(self, lock: int) -> bool:
        _check_lock(lock)
        return self.closed[lock - 1]

    def is_occupied(self, lock: int) -> bool:
        _check_lock(lock)
        return self.occupied[lock - 1]


def encode_reply(status: BoardStatus) -> bytes:
    h1, h2 = _bools_to_bytes(status.closed)
    i1, i2 = _bools_to_bytes(status.occupied)
    body = bytes((STX, status.board << 4, REPLY, h1, h2, i1, i2, ETX))
    return body + bytes((checksum(body),))


def decode_reply(frame: bytes) -> BoardStatus:
    """Check length, STX/ETX, reply code and checksum; raise FrameError naming the fault."""
    if len(frame) != REPLY_LEN:
        raise FrameError(f"reply has {len(frame)} bytes; expected {REPLY_LEN}")
    if frame[0] != STX or frame[7] != ETX:
        raise FrameError(f"reply {frame.hex(' ')} lacks STX/ETX")
    if frame[2] != REPLY:
        raise FrameError(f"reply {frame.hex(' ')} has code 0x{frame[2]:02X}; expected 0x35")
    if frame[8] != checksum(frame[:8]):
        raise FrameError(f"reply {frame.hex(' ')} has a bad checksum "
                         f"(0x{frame[8]:02X}, computed 0x{checksum(frame[:8]):02X})")
    if frame[1] & 0x0F:
        raise FrameError(f"reply {frame.hex(' ')} has a lock index in ADDR; expected 0")
    return BoardStatus(frame[1] >> 4, _bits_to_bools(frame[3], frame[4]),
                       _bits_to_bools(frame[5], frame[6]))


def find_reply(buffer: bytes | bytearray, board: int) -> BoardStatus | None:
    """The first valid reply from ``board`` anywhere in ``buffer`` (garbage around it skipped).

    Replies from another board and frames that fail a check are passed over, so line
    noise or a late answer from a different board can never be taken for this one.
    """
    start = 0
    data = bytes(buffer)
    while True:
        i = data.find(STX, start)
        if i < 0 or len(data) - i < REPLY_LEN:
            return None
        try:
            status = decode_reply(data[i:i + REPLY_LEN])
        except FrameError:
            status = None
        if status is not None and status.board == board:
            return status
        start = i + 1
