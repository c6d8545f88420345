"""Incremental ESC/POS decoder for the subset in docs/devices.md (printer side).

Bytes arrive in arbitrary pieces; ``feed`` returns the commands completed so far and
keeps any partial command for the next call. Written from the protocol table alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Command:
    name: str         # init, raster, lf, feed_lines, feed_dots, cut, qr, align, status, byte
    args: dict = field(default_factory=dict)


class EscPosDecoder:
    def __init__(self):
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Command]:
        self._buf += data
        out: list[Command] = []
        while self._buf:
            cmd, used = self._one(self._buf)
            if used == 0:
                break                      # incomplete: wait for more bytes
            del self._buf[:used]
            out.append(cmd)
        return out

    @property
    def pending(self) -> int:
        return len(self._buf)

    @staticmethod
    def _one(b: bytearray) -> tuple[Command | None, int]:
        n = len(b)
        c = b[0]
        if c == 0x0A:
            return Command("lf"), 1
        if c == 0x10:                                      # DLE EOT n
            if n < 3:
                return None, 0
            if b[1] == 0x04:
                return Command("status", {"n": b[2]}), 3
            return Command("byte", {"value": c}), 1
        if c == 0x1B:                                      # ESC
            if n < 2:
                return None, 0
            op = b[1]
            if op == 0x40:
                return Command("init"), 2
            if op in (0x64, 0x4A, 0x61):
                if n < 3:
                    return None, 0
                name = {0x64: "feed_lines", 0x4A: "feed_dots", 0x61: "align"}[op]
                return Command(name, {"n": b[2]}), 3
            return Command("byte", {"value": c}), 1
        if c == 0x1D:                                      # GS
            if n < 2:
                return None, 0
            op = b[1]
            if op == 0x76:                                 # GS v 0 m xL xH yL yH d...
                if n < 8:
                    return None, 0
                if b[2] != 0x30:
                    return Command("byte", {"value": c}), 1
                w = b[4] + 256 * b[5]
                h = b[6] + 256 * b[7]
                total = 8 + w * h
                if n < total:
                    return None, 0
                return Command("raster", {"mode": b[3], "width_bytes": w, "height": h,
                                          "data": bytes(b[8:total])}), total
            if op == 0x56:                                 # GS V m [n]
                if n < 3:
                    return None, 0
                m = b[2]
                if m in (65, 66):
                    if n < 4:
                        return None, 0
                    return Command("cut", {"m": m, "n": b[3]}), 4
                return Command("cut", {"m": m}), 3
            if op == 0x28:                                 # GS ( k pL pH cn fn ...
                if n < 5:
                    return None, 0
                if b[2] != 0x6B:
                    return Command("byte", {"value": c}), 1
                size = b[3] + 256 * b[4]
                total = 5 + size
                if n < total:
                    return None, 0
                body = bytes(b[5:total])
                cn, fn = (body[0], body[1]) if len(body) >= 2 else (0, 0)
                return Command("qr", {"cn": cn, "fn": fn, "params": body[2:]}), total
            return Command("byte", {"value": c}), 1
        return Command("byte", {"value": c}), 1
