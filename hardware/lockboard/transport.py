"""One serial port (one RS485 bus) with a lock, so that exactly one command is on the wire.

The transport knows bytes, not frames: it clears the input buffer, writes a command, and
reads until the caller's ``accept`` function finds a reply or the deadline passes. An OS
error closes the port; the next exchange reopens it.
"""
from __future__ import annotations

import errno
import select
import termios
import threading
import time
from typing import Callable, TypeVar

import serial

from hardware.ports import DeviceError

T = TypeVar("T")


class TransportError(DeviceError):
    """The serial port could not be opened or failed while in use."""


def _advice_for(exc: BaseException, port: str) -> str:
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code == errno.ENOENT or "No such file" in text:
        return (f"{port} does not exist: check the USB-RS485 adapter is plugged in and the "
                "port name in the profile (see systemd/99-kiosk.rules)")
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return f"no permission on {port}: run as a user in the 'dialout' group"
    if code in (errno.EBUSY, errno.EAGAIN) or "exclusively" in text or "busy" in text.lower():
        return (f"{port} is in use by another program (is the kiosk service running? "
                "stop it before testing a board by hand)")
    return f"check the cable and adapter on {port}, then retry"


class SerialTransport:
    """A pyserial port opened on first use and reopened after an OS error."""

    def __init__(self, port: str, baud: int = 19200, *,
                 serial_factory: Callable[..., serial.Serial] = serial.Serial):
        self.port = port
        self.baud = baud
        self._factory = serial_factory
        self._serial: serial.Serial | None = None
        self.lock = threading.RLock()          # the bus: one command at a time
        self._closed = False
        self.reopen_count = 0

    # ---- port life --------------------------------------------------------------------
    def _ensure_open(self) -> serial.Serial:
        if self._closed:
            raise TransportError(f"serial port {self.port} was closed", "restart the kiosk")
        if self._serial is None:
            try:
                self._serial = self._factory(self.port, self.baud, bytesize=8, parity="N",
                                             stopbits=1, timeout=0, write_timeout=1.0,
                                             exclusive=True)
            except (serial.SerialException, OSError, termios.error, ValueError) as exc:
                raise TransportError(f"cannot open serial port {self.port}: {exc}",
                                     _advice_for(exc, self.port)) from exc
            self.reopen_count += 1
        return self._serial

    def _drop(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except (serial.SerialException, OSError):
                pass

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    # ---- one exchange -----------------------------------------------------------------
    def exchange(self, command: bytes, accept: Callable[[bytearray], T | None],
                 timeout: float) -> tuple[T | None, bytes]:
        """Send ``command`` and read until ``accept(buffer)`` returns a reply or ``timeout``.

        Returns ``(reply or None, raw bytes read)``. Raises TransportError on an OS error
        (the port is closed and will be reopened by the next exchange).
        """
        with self.lock:
            ser = self._ensure_open()
            buf = bytearray()
            try:
                ser.reset_input_buffer()
                ser.write(command)
                ser.flush()
                deadline = time.monotonic() + timeout
                fd = ser.fileno()
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None, bytes(buf)
                    ready, _, _ = select.select([fd], [], [], remaining)
                    if not ready:
                        return None, bytes(buf)
                    chunk = ser.read(ser.in_waiting or 1)
                    if not chunk:
                        # readable but empty: the other end went away (pty closed, USB pulled)
                        raise serial.SerialException("device reports readiness to read "
                                                     "but returned no data")
                    buf += chunk
                    reply = accept(buf)
                    if reply is not None:
                        return reply, bytes(buf)
            except (serial.SerialException, OSError, termios.error) as exc:
                self._drop()
                raise TransportError(f"serial port {self.port} failed: {exc}",
                                     _advice_for(exc, self.port)) from exc

    def close(self) -> None:
        with self.lock:
            self._closed = True
            self._drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
