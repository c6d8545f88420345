"""A serial code reader (RS232 or USB-CDC): one decoded code per line, CR or CR LF.

A reader thread owns the port. When the port disappears (cable pulled, USB re-enumerated)
it reports offline and reopens the same path every ``reconnect_s`` until it is back, so a
technician can replug the reader without restarting the kiosk.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import serial

from hardware.ports import DeviceHealth, DeviceStatus

log = logging.getLogger(__name__)
MAX_LINE = 4096          # a CCCD QR is ~200 bytes; a longer line is noise, not a code


class SerialCodeReader:
    """``hardware.ports.CodeReader`` over a serial port."""

    def __init__(self, port: str, baud: int = 9600, *, reconnect_s: float = 1.0,
                 name: str = "code_reader"):
        self.port = port
        self.baud = baud
        self.reconnect_s = reconnect_s
        self.name = name
        self._subscribers: list[Callable[[str], None]] = []
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._last_error = "not opened yet"
        self.codes_read = 0
        self.reconnects = 0
        self._thread = threading.Thread(target=self._run, name="code-reader", daemon=True)
        self._thread.start()

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._subscribers.append(callback)

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return self._connected.wait(timeout)

    # ---- the reader thread ------------------------------------------------------------
    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                ser = serial.Serial(self.port, self.baud, timeout=0.1, exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._last_error = f"cannot open {self.port}: {exc}"
                self._stop.wait(self.reconnect_s)
                continue
            if not first:
                self.reconnects += 1
                log.info("code reader on %s is back", self.port)
            first = False
            self._connected.set()
            try:
                self._read_lines(ser)
            except (serial.SerialException, OSError) as exc:
                self._last_error = f"lost {self.port}: {exc}"
                log.warning("code reader: %s; reconnecting", self._last_error)
            finally:
                self._connected.clear()
                try:
                    ser.close()
                except (serial.SerialException, OSError):
                    pass
            self._stop.wait(self.reconnect_s)

    def _read_lines(self, ser: serial.Serial) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            chunk = ser.read(256)
            if not chunk:
                continue
            buf += chunk
            while True:
                cut = min((i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0),
                          default=-1)
                if cut < 0:
                    break
                line = bytes(buf[:cut])
                del buf[:cut + 1]
                self._dispatch(line)
            if len(buf) > MAX_LINE:
                log.warning("code reader: dropped %d bytes without a line end", len(buf))
                buf.clear()

    def _dispatch(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").strip().lstrip("\ufeff")
        if not text:
            return
        self.codes_read += 1
        for callback in list(self._subscribers):
            try:
                callback(text)
            except Exception:   # noqa: BLE001 - one bad subscriber must not stop the reader
                log.exception("code reader subscriber failed")

    # ---- port -------------------------------------------------------------------------
    def health(self) -> DeviceHealth:
        if self._connected.is_set():
            return DeviceHealth(self.name, DeviceStatus.ONLINE, f"listening on {self.port}",
                                extra={"codes_read": self.codes_read})
        return DeviceHealth(self.name, DeviceStatus.OFFLINE, self._last_error,
                            "check the code reader's USB cable; it reconnects by itself")

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(timeout=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
