"""Receipt: render + ESC/POS bytes + their time on the wire at 38400 baud.

Measured through ``ReceiptDesk.print_receipt`` → ``kiosk.receipts.render_receipt`` →
``EscposPrinter`` (trimmed raster bands, native QR, DLE EOT status before and after) on a
pty to the printer simulator, until the simulator has cut the paper; a pty moves bytes
at once, so the bytes' time on a 38400-baud line is added. Limit: that wire time alone.
Also reported: the bytes python-escpos's own ``image()`` would send for the same picture.
"""
from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from bench.stats import Result, main_for, median, p99, wire_ms
from hardware.printer import open_printer
from kiosk.clock import SystemClock
from kiosk.services.receipt_desk import ReceiptDesk
from kiosk.receipts import render_receipt
from sim.printer.device import PrinterSim

BAUD = 38400
DATA = {"kind": "deposit", "code": "HS261127-7KQ4M", "procedure_vi": "Đăng ký khai sinh",
        "tray": "A07", "deadline": date(2026, 12, 4)}


def _escpos_image_bytes(image) -> int:
    from escpos.printer import Dummy
    d = Dummy()
    d.image(image, impl="bitImageRaster")
    d.cut()
    return len(d.output)


def run(quick: bool = False) -> list[Result]:
    n = 5 if quick else 20
    totals, renders, payloads, sizes = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-printer-") as d:
        sim = PrinterSim(Path(d) / "printer", Path(d) / "out")
        printer = open_printer("serial", port=sim.path, baud=BAUD)
        try:
            desk = ReceiptDesk(printer, SystemClock(), kiosk_name="Máy nhận và trả hồ sơ 24/7",
                               office="Trung tâm Phục vụ hành chính công phường Bình Tây")
            desk.print_receipt(DATA, txn="warm-up")
            sim.wait_receipts(1)
            for i in range(n):
                t0 = time.perf_counter()
                desk.print_receipt(DATA, txn=f"bench-{i}")
                got = sim.wait_receipts(i + 2)
                t1 = time.perf_counter()
                if len(got) < i + 2:
                    raise RuntimeError("the printer simulator did not cut a receipt")
                size = printer.last_job.bytes_sent
                totals.append((t1 - t0) * 1000.0 + wire_ms(size, BAUD))
                sizes.append(size)
                t2 = time.perf_counter()
                rendered = render_receipt(desk.to_receipt(DATA, txn=f"bench-{i}"))
                t3 = time.perf_counter()
                printer.build_payload(rendered.image, rendered.qr_codes)
                t4 = time.perf_counter()
                renders.append((t3 - t2) * 1000.0)
                payloads.append((t4 - t3) * 1000.0)
            plain = _escpos_image_bytes(rendered.image)
            height = rendered.image.height
        finally:
            printer.close()
            sim.close()
    size = sizes[-1]
    limit = wire_ms(size, BAUD)
    return [Result("receipt, render + bytes + wire at 38400 baud", median(totals), limit, "ms",
                   how=f"median of {n} deposit receipts to the printer simulator, "
                       f"+ {size} bytes' wire time",
                   limit_how=f"{size} bytes x 10 bits / 38400 baud",
                   notes=[f"render {median(renders):.1f} ms, ESC/POS bytes "
                          f"{median(payloads):.1f} ms, p99 total {p99(totals):.0f} ms; "
                          f"image 576 x {height} dots",
                          f"python-escpos image() of the same picture: {plain} bytes "
                          f"({wire_ms(plain, BAUD):.0f} ms on the wire); ours {size} bytes "
                          f"({size / plain:.0%})"],
                   extra={"bytes": size, "render_ms": median(renders),
                          "payload_ms": median(payloads), "escpos_image_bytes": plain})]


if __name__ == "__main__":
    main_for(run)
