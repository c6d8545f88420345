"""Open a python-escpos transport (serial, USB, network, file) and read status bytes from it.

python-escpos builds and writes the bytes; this module only adds what it lacks for a
kiosk: a bounded wait for the one-byte DLE EOT reply and errors that say what to check.
"""
from __future__ import annotations

import select
import time

from hardware.ports import DeviceError


class PrinterConnectError(DeviceError):
    """The printer's port could not be opened."""


def open_transport(kind: str, *, port: str = "", baud: int = 38400, host: str | None = None,
                   usb_vendor: int | None = None, usb_product: int | None = None,
                   profile: str | None = None):
    """An opened ``escpos.printer`` object for this transport."""
    from escpos import exceptions as escpos_errors
    from escpos import printer as escpos_printer

    try:
        if kind == "serial":
            p = escpos_printer.Serial(devfile=port, baudrate=baud, timeout=0.5, dsrdtr=False,
                                      profile=profile)
        elif kind == "usb":
            if usb_vendor is None or usb_product is None:
                raise PrinterConnectError("USB printer needs usb_vendor and usb_product",
                                          "set them in [printer] from `lsusb`")
            p = escpos_printer.Usb(usb_vendor, usb_product, timeout=500, profile=profile)
        elif kind == "network":
            if not host:
                raise PrinterConnectError("network printer needs a host",
                                          "set [printer] host to its IP address")
            p = escpos_printer.Network(host, timeout=3, profile=profile)
        elif kind == "file":
            p = escpos_printer.File(devfile=port, profile=profile)
        else:
            raise PrinterConnectError(f"unknown printer transport {kind!r}",
                                      "use serial, usb, network or file")
        p.open()
    except PrinterConnectError:
        raise
    except (escpos_errors.Error, OSError, ValueError) as exc:
        where = port or host or f"USB {usb_vendor}:{usb_product}"
        raise PrinterConnectError(f"cannot open the receipt printer on {where}: {exc}",
                                  "check the cable and the port name in [printer]") from None
    if kind == "serial":
        p.device.write_timeout = 30
    return p


def read_reply(printer, timeout: float) -> int | None:
    """One status byte, or None when nothing came within ``timeout`` seconds."""
    dev = printer.device
    deadline = time.monotonic() + timeout
    if hasattr(dev, "in_waiting"):                     # pyserial
        while time.monotonic() < deadline:
            fd = dev.fileno()
            r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if r:
                data = dev.read(1)
                if data:
                    return data[0]
        return None
    if hasattr(dev, "settimeout"):                     # socket
        dev.settimeout(timeout)
        try:
            data = dev.recv(1)
        except OSError:
            return None
        return data[0] if data else None
    try:                                               # USB: escpos reads the in endpoint
        data = printer._read()
    except Exception:   # noqa: BLE001 - usb.core raises its own timeout types
        return None
    return data[0] if data else None


def drain(printer) -> None:
    """Drop stale bytes (a late reply to an earlier query) before asking again."""
    dev = printer.device
    if hasattr(dev, "reset_input_buffer"):
        dev.reset_input_buffer()


def close_transport(printer) -> None:
    """Close without raising, even when the link is already dead.

    python-escpos flushes a serial port before closing it, which fails with EIO on a port
    whose other end has gone; then its object would retry (and fail) when collected.
    """
    try:
        printer.close()
        return
    except Exception:   # noqa: BLE001 - termios.error, OSError, usb errors
        pass
    raw = getattr(printer, "_device", None)
    try:
        if raw:
            raw.close()
    except Exception:   # noqa: BLE001
        pass
    printer._device = False
