"""The receipt printer's device side on a pseudo-terminal: paper in, PNG receipts out.

Raster, feeds and GS ( k QR codes are drawn onto a roll; each cut writes the roll so far
as ``receipt-0001.png``... into the output folder. DLE EOT is answered at once from the
switches a technician (or a test) flips: paper_near_end, paper_end, cover_open, error
(offline with a cutter error) and offline (no answer at all, as when unplugged).
"""
from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import segno
from PIL import Image

from sim.ptylink import PtyDevice, PtyLink

from .decoder import EscPosDecoder

WIDTH_DOTS = 576
LINE_DOTS = 30          # default line spacing of an 80 mm printer at 203 dpi
SWITCHES = ("paper_near_end", "paper_end", "cover_open", "error", "offline")
EC = {0x30: "l", 0x31: "m", 0x32: "q", 0x33: "h"}


class PrinterSim(PtyDevice):
    def __init__(self, link: str | os.PathLike | None, out_dir: str | os.PathLike, *,
                 width_dots: int = WIDTH_DOTS, line_baud: int | None = None):
        self.link = PtyLink(link)
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.width = width_dots
        # A pty moves bytes as fast as the CPU; with line_baud set, the printer takes them
        # no faster than a serial line would (10 bits a byte), so timings are realistic.
        self.line_baud = line_baud
        self.switches = {name: False for name in SWITCHES}
        self.receipts: list[Path] = []
        self.bytes_received = 0
        self.ignored_bytes = 0
        self.status_queries = 0
        self._paper_left: int | None = None
        self._decoder = EscPosDecoder()
        self._new_receipt = threading.Condition()
        self._reset_page()
        self._qr = {"size": 3, "ec": "m", "data": b""}
        self._align = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-printer", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        return self.link.path

    def set(self, **switches: bool) -> None:
        """Flip fault switches, e.g. ``set(paper_end=True)``."""
        for name, value in switches.items():
            if name not in self.switches:
                raise KeyError(f"unknown printer switch {name!r}; one of {SWITCHES}")
            self.switches[name] = bool(value)

    def run_out_after(self, nbytes: int) -> None:
        """Paper runs out once ``nbytes`` more bytes have arrived (mid-receipt faults)."""
        self._paper_left = nbytes

    def wait_receipts(self, count: int, timeout: float = 10.0) -> list[Path]:
        with self._new_receipt:
            self._new_receipt.wait_for(lambda: len(self.receipts) >= count, timeout)
            return list(self.receipts)

    # ---- the device loop ------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            data = self.link.read(0.05, 128 if self.line_baud else 4096)
            if not data:
                continue
            if self.line_baud:
                time.sleep(len(data) * 10 / self.line_baud)
            self.bytes_received += len(data)
            if self._paper_left is not None:
                self._paper_left -= len(data)
                if self._paper_left <= 0:
                    self._paper_left = None
                    self.switches["paper_end"] = True
            for cmd in self._decoder.feed(data):
                self._do(cmd)

    def _status_byte(self, n: int) -> int:
        s = self.switches
        b = 0x12
        if n == 1 and (s["paper_end"] or s["cover_open"] or s["error"]):
            b |= 0x08
        elif n == 2:
            b |= (0x04 if s["cover_open"] else 0) | (0x20 if s["paper_end"] else 0) \
                | (0x40 if s["error"] else 0)
        elif n == 3 and s["error"]:
            b |= 0x08
        elif n == 4:
            if s["paper_end"]:
                b |= 0x6C
            elif s["paper_near_end"]:
                b |= 0x0C
        return b

    def _can_print(self) -> bool:
        s = self.switches
        return not (s["paper_end"] or s["cover_open"] or s["error"] or s["offline"])

    def _do(self, cmd) -> None:
        if cmd.name == "status":
            self.status_queries += 1
            if not self.switches["offline"]:
                self.link.write(bytes((self._status_byte(cmd.args["n"]),)))
            return
        if not self._can_print():
            self.ignored_bytes += 1
            return
        a = cmd.args
        if cmd.name == "init":
            self._align = 0
        elif cmd.name == "raster":
            self._raster(a["width_bytes"], a["height"], a["data"])
        elif cmd.name == "lf":
            self._y += LINE_DOTS
        elif cmd.name == "feed_lines":
            self._y += LINE_DOTS * a["n"]
        elif cmd.name == "feed_dots":
            self._y += a["n"]
        elif cmd.name == "align":
            self._align = a["n"] % 48 if a["n"] >= 48 else a["n"]
        elif cmd.name == "qr":
            self._qr_command(a["cn"], a["fn"], a["params"])
        elif cmd.name == "cut":
            self._y += a.get("n", 0)          # GS V 65/66 n: feed n dots, then cut
            self._cut()
        else:
            self.ignored_bytes += 1

    # ---- drawing --------------------------------------------------------------------
    def _reset_page(self) -> None:
        self._pieces: list[tuple[int, int, Image.Image]] = []
        self._y = 0

    def _raster(self, width_bytes: int, height: int, data: bytes) -> None:
        if width_bytes == 0 or height == 0:
            return
        w = width_bytes * 8
        # 1 = black in ESC/POS; PIL "1" mode stores 1 = white, so invert the bits.
        inv = bytes(255 - v for v in data)
        img = Image.frombytes("1", (w, height), inv)
        if w > self.width:
            img = img.crop((0, 0, self.width, height))
        self._pieces.append((0, self._y, img))
        self._y += height

    def _qr_command(self, cn: int, fn: int, params: bytes) -> None:
        if cn != 0x31:
            return
        if fn == 0x43 and params:
            self._qr["size"] = max(1, min(16, params[0]))
        elif fn == 0x45 and params:
            self._qr["ec"] = EC.get(params[0], "m")
        elif fn == 0x50 and params[:1] == b"0":
            self._qr["data"] = params[1:]
        elif fn == 0x51:
            self._print_qr()

    def _print_qr(self) -> None:
        data = self._qr["data"].decode("utf-8", "replace")
        if not data:
            return
        qr = segno.make_qr(data, error=self._qr["ec"], boost_error=False)
        buf = io.BytesIO()
        qr.save(buf, kind="png", scale=self._qr["size"], border=0)
        buf.seek(0)
        img = Image.open(buf).convert("1")
        x = {0: 0, 1: (self.width - img.width) // 2, 2: self.width - img.width}.get(
            self._align, 0)
        self._pieces.append((max(0, x), self._y, img))
        self._y += img.height

    def _cut(self) -> None:
        height = max([self._y] + [y + im.height for _, y, im in self._pieces] + [1])
        page = Image.new("1", (self.width, height), 1)
        for x, y, im in self._pieces:
            page.paste(im, (x, y))
        self._reset_page()
        with self._new_receipt:
            path = self.out_dir / f"receipt-{len(self.receipts) + 1:04d}.png"
            tmp = path.with_suffix(".tmp")
            page.save(tmp, format="PNG")
            os.replace(tmp, path)
            self.receipts.append(path)
            self._new_receipt.notify_all()
