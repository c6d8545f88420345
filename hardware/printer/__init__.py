"""ESC/POS receipt printer driver (python-escpos transports, DLE EOT status, raster bands)."""
from __future__ import annotations

from .escpos_cache import use_lasting_cache

use_lasting_cache()   # before anything imports escpos

import logging

from .driver import EscposPrinter, PrinterUnavailable, PrintJob
from .status import PrinterStatus, decode as decode_status
from .transports import PrinterConnectError, open_transport

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["EscposPrinter", "PrinterUnavailable", "PrintJob", "PrinterStatus", "decode_status",
           "PrinterConnectError", "open_transport", "build_printer", "open_printer"]


def open_printer(transport: str = "serial", *, port: str = "", baud: int = 38400,
                 host: str | None = None, usb_vendor: int | None = None,
                 usb_product: int | None = None, profile: str | None = None,
                 native_qr: bool = True, width_dots: int = 576,
                 lazy: bool = False) -> EscposPrinter:
    """A printer on this transport; opened now (errors raise) or, ``lazy``, on first use."""
    def opener():
        return open_transport(transport, port=port, baud=baud, host=host,
                              usb_vendor=usb_vendor, usb_product=usb_product, profile=profile)

    return EscposPrinter(None if lazy else opener(), opener=opener, profile=profile,
                         native_qr=native_qr, width_dots=width_dots,
                         baud=baud if transport == "serial" else None,
                         has_status=transport != "file")


def build_printer(cfg) -> EscposPrinter | None:
    """The printer of a kiosk profile, or None when ``[printer] enabled = false``.

    The port is opened now, so a printer missing at start-up is a start-up problem
    (``PrinterConnectError`` with advice); once built, the printer reopens its port
    after a failure, so unplugging and replugging it needs no restart.
    """
    p = cfg.printer
    if not p.enabled:
        return None
    return open_printer(p.transport, port=str(cfg.path(p.port)), baud=p.baud, host=p.host,
                        usb_vendor=p.usb_vendor, usb_product=p.usb_product,
                        profile=None if p.profile == "default" else p.profile,
                        native_qr=p.native_qr, width_dots=p.width_dots)
