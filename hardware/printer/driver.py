"""The receipt printer: one receipt image (+ QR slots) → ESC/POS on any python-escpos transport.

A receipt is checked with DLE EOT before it is sent and again after; paper end, an open
cover or silence raise ``PrinterUnavailable`` so the kiosk can switch to SMS receipts.
Access is serialised: one receipt at a time, each tied to the transaction it belongs to.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Iterable

from PIL import Image

from hardware.ports import DeviceError, DeviceHealth, DeviceStatus, PrinterState

from . import raster, status as st
from .transports import close_transport, drain, read_reply

log = logging.getLogger(__name__)

ESC_INIT = b"\x1b@"
ALIGN = {"left": b"\x1ba\x00", "center": b"\x1ba\x01", "right": b"\x1ba\x02"}
EC_LEVELS = {"L": 0, "M": 1, "Q": 2, "H": 3}
CHUNK = 1024


class PrinterUnavailable(DeviceError):
    """The printer cannot print now; ``state`` says why (paper out, cover open, offline)."""

    def __init__(self, status: st.PrinterStatus):
        super().__init__(f"receipt printer: {status.detail}", status.advice)
        self.state = status.state
        self.status = status


@dataclass(frozen=True)
class PrintJob:
    txn: str
    bytes_sent: int
    seconds: float
    wire_seconds: float | None       # bytes × 10 bits / baud on a serial line


def _slot(q) -> tuple[str, int, int, int, str, str]:
    """QR slots are duck-typed (kiosk.receipts.QrSlot): data, top, height, module, ec, align."""
    return (str(q.data), int(q.top), int(q.height), int(getattr(q, "module", 6)),
            str(getattr(q, "ec", "M")).upper(), str(getattr(q, "align", "center")))


class EscposPrinter:
    """``hardware.ports.Printer`` over a python-escpos transport object.

    Give either an opened ``device`` or an ``opener`` that opens one: with an opener the
    port is opened on first use and reopened after a failure, so a printer that is off
    or unplugged when the kiosk starts reports offline and works once it is back.
    """

    def __init__(self, device=None, *, opener=None, profile=None, native_qr: bool = True,
                 width_dots: int = 576, baud: int | None = None,
                 status_timeout: float = 1.0, has_status: bool = True,
                 name: str = "printer"):
        if device is None and opener is None:
            raise ValueError("EscposPrinter needs a device or an opener")
        from escpos.capabilities import get_profile
        self._dev = device
        self._opener = opener
        self.profile = device.profile if device is not None else get_profile(profile)
        self.native_qr = bool(native_qr) and self.profile.supports("qrCode")
        self.width_dots = width_dots
        self.baud = baud
        self.status_timeout = status_timeout
        self.has_status = has_status
        self.name = name
        self.last_job: PrintJob | None = None
        self._lock = threading.Lock()
        self._closed = False

    # ---- the link -----------------------------------------------------------------
    def _device(self):
        if self._dev is None:
            self._dev = self._opener()        # raises PrinterConnectError with advice
        return self._dev

    def _drop(self) -> None:
        """Forget a failed link so the next call reopens it (only with an opener)."""
        if self._opener is None or self._dev is None:
            return
        close_transport(self._dev)
        self._dev = None

    # ---- status -------------------------------------------------------------------
    def _ask(self, n: int, timeout: float | None = None) -> int | None:
        dev = self._device()
        drain(dev)
        dev._raw(st.DLE_EOT + bytes((n,)))
        return read_reply(dev, timeout or self.status_timeout)

    def _status_unlocked(self, first_timeout: float | None = None) -> st.PrinterStatus:
        """DLE EOT 1..4; ``first_timeout`` allows for receipt bytes still on the line."""
        if self._closed:
            return st.PrinterStatus(PrinterState.OFFLINE, "the printer driver is closed")
        if not self.has_status:
            try:
                self._device()
            except DeviceError as exc:
                return st.PrinterStatus(PrinterState.OFFLINE, str(exc), exc.advice)
            return st.PrinterStatus(PrinterState.OK, "ready (this transport cannot report "
                                    "paper or cover state)")
        try:
            replies = {st.PRINTER: self._ask(st.PRINTER, first_timeout)}
            if replies[st.PRINTER] is not None:
                replies[st.OFFLINE_CAUSE] = self._ask(st.OFFLINE_CAUSE)
                if replies[st.PRINTER] & 0x08 or (replies[st.OFFLINE_CAUSE] or 0) & 0x40:
                    replies[st.ERROR_CAUSE] = self._ask(st.ERROR_CAUSE)
                replies[st.PAPER] = self._ask(st.PAPER)
                if None in replies.values():      # answered once, then went quiet
                    replies = {st.PRINTER: None}
        except DeviceError as exc:
            return st.PrinterStatus(PrinterState.OFFLINE, str(exc), exc.advice)
        except Exception as exc:   # noqa: BLE001 - pyserial/pyusb/socket raise their own
            self._drop()
            return st.PrinterStatus(PrinterState.OFFLINE, f"the printer link failed: {exc}",
                                    "check the cable and power of the receipt printer")
        return st.decode(replies)

    def status(self) -> st.PrinterStatus:
        with self._lock:
            return self._status_unlocked()

    def state(self) -> PrinterState:
        return self.status().state

    def health(self) -> DeviceHealth:
        s = self.status()
        kind = {PrinterState.OK: DeviceStatus.ONLINE,
                PrinterState.PAPER_NEAR_END: DeviceStatus.ONLINE,
                PrinterState.OFFLINE: DeviceStatus.OFFLINE}.get(s.state, DeviceStatus.HWERROR)
        extra = {"state": s.state.value}
        if self.last_job:
            extra["last_job_bytes"] = self.last_job.bytes_sent
        return DeviceHealth(self.name, kind, s.detail, s.advice, extra)

    # ---- printing -----------------------------------------------------------------
    def build_payload(self, image: Image.Image, qr_codes: Iterable = ()) -> bytes:
        """Every byte of one receipt: init, raster with native QR codes, feed and cut."""
        from escpos.printer import Dummy

        img = image.convert("1") if image.mode != "1" else image
        if img.width > self.width_dots:
            raise ValueError(f"receipt image is {img.width} dots wide; the printer takes "
                             f"{self.width_dots}")
        slots = sorted((_slot(q) for q in qr_codes), key=lambda s: s[1])
        if not self.native_qr and slots:
            img = img.copy()
            for data, top, height, module, ec, align in slots:
                _draw_qr(img, data, top, height, module, ec, align)
            slots = []
        rows = raster.image_rows(img)
        out = Dummy()
        out.profile = self.profile
        out._raw(ESC_INIT)
        pos = 0
        for data, top, height, module, ec, align in slots:
            out._raw(raster.encode_rows(rows[pos:top]))
            quiet = 4 * module
            out._raw(raster.feed_dots(quiet) + ALIGN.get(align, ALIGN["center"]))
            out.qr(data, ec=EC_LEVELS.get(ec, 1), size=module, native=True)
            out._raw(ALIGN["left"] + raster.feed_dots(quiet))
            pos = max(pos, top + height)
        out._raw(raster.encode_rows(rows[pos:]))
        out.cut()
        return out.output

    def print_image(self, image, txn: str, qr_codes: Iterable = ()) -> int:
        payload = self.build_payload(image, qr_codes)
        with self._lock:
            before = self._status_unlocked()
            if not before.can_print:
                log.warning("receipt for %s not printed: %s", txn, before.detail)
                raise PrinterUnavailable(before)
            t0 = time.monotonic()
            try:
                dev = self._device()
                for i in range(0, len(payload), CHUNK):
                    dev._raw(payload[i:i + CHUNK])
                flush = getattr(dev.device, "flush", None)
                if flush:
                    flush()
            except Exception as exc:   # noqa: BLE001 - transport libraries vary
                self._drop()
                raise PrinterUnavailable(st.PrinterStatus(
                    PrinterState.OFFLINE, f"sending the receipt failed: {exc}",
                    "check the printer cable and power")) from None
            seconds = time.monotonic() - t0
            wire = len(payload) * 10 / self.baud if self.baud else None
            # The query queues behind whatever the OS has not put on the wire yet.
            backlog = max(0.0, (wire or 0.0) - seconds)
            after = self._status_unlocked(first_timeout=self.status_timeout + backlog * 1.5)
        self.last_job = PrintJob(txn, len(payload), seconds, wire)
        log.info("receipt for %s: %d bytes in %.2f s", txn, len(payload), seconds)
        if not after.can_print:
            raise PrinterUnavailable(st.PrinterStatus(
                after.state, after.detail + " while printing; the receipt may be incomplete",
                after.advice))
        return len(payload)

    # ---- lifetime -----------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._dev is not None:
                close_transport(self._dev)
                self._dev = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _draw_qr(img: Image.Image, data: str, top: int, height: int, module: int, ec: str,
             align: str) -> None:
    """Draw a QR into its slot for printers without GS ( k."""
    import segno

    qr = segno.make_qr(data, error=ec.lower())
    side = qr.symbol_size(scale=module, border=0)[0]
    from io import BytesIO
    buf = BytesIO()
    qr.save(buf, kind="png", scale=module, border=0)
    buf.seek(0)
    code = Image.open(buf).convert("1")
    x = {"left": 0, "right": img.width - side}.get(align, (img.width - side) // 2)
    y = top + max(0, (height - side) // 2)
    img.paste(code, (max(0, x), y))
