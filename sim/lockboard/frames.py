"""The board's side of the wire format: read host commands, build status replies."""
from __future__ import annotations

from dataclasses import dataclass

STX, ETX = 0x02, 0x03
READ_STATUS, UNLOCK, STATUS_REPLY = 0x30, 0x31, 0x35
COMMAND_BYTES = 5


@dataclass(frozen=True)
class HostCommand:
    raw: bytes
    board: int
    lock: int          # 1..16 (meaningful for unlock only)
    code: int          # READ_STATUS or UNLOCK


def _sum(data) -> int:
    return sum(data) & 0xFF


class CommandReader:
    """Cuts the host's byte stream into commands; anything else is noise and is dropped.

    A real board ignores a frame with a bad checksum, length or command; so do we,
    resynchronising on the next STX.
    """

    def __init__(self):
        self._buf = bytearray()

    def feed(self, data: bytes) -> tuple[list[HostCommand], bytes]:
        """Returns the complete commands found and the bytes thrown away as noise."""
        self._buf += data
        commands, junk = [], bytearray()
        while self._buf:
            if self._buf[0] != STX:
                junk.append(self._buf.pop(0))
                continue
            if len(self._buf) < COMMAND_BYTES:
                break
            frame = bytes(self._buf[:COMMAND_BYTES])
            if (frame[3] == ETX and frame[4] == _sum(frame[:4])
                    and frame[2] in (READ_STATUS, UNLOCK)):
                commands.append(HostCommand(frame, frame[1] >> 4, (frame[1] & 0x0F) + 1,
                                            frame[2]))
                del self._buf[:COMMAND_BYTES]
            else:
                junk.append(self._buf.pop(0))
        return commands, bytes(junk)


def pack_bits(flags) -> tuple[int, int]:
    value = 0
    for i, flag in enumerate(flags):
        if flag:
            value |= 1 << i
    return value & 0xFF, (value >> 8) & 0xFF


def status_reply(board: int, hooks, items) -> bytes:
    h_lo, h_hi = pack_bits(hooks)
    i_lo, i_hi = pack_bits(items)
    body = bytes([STX, (board & 0x0F) << 4, STATUS_REPLY, h_lo, h_hi, i_lo, i_hi, ETX])
    return body + bytes([_sum(body)])
