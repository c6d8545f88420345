"""``kiosk hw print-test|decode|parse-cccd|scan|sms``: the paper devices, one at a time.

Exit status: 0 done; 1 nothing found (decode) or not an ID card (parse-cccd);
2 bad arguments; 4 the device cannot do it now (paper end, cover open, no answer,
jam, SMS refused), with a one-line reason on stderr. Stop the kiosk service first:
serial ports are opened exclusively.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

BAUDS = (9600, 19200, 38400, 57600, 115200)


def _quiet_logs() -> None:
    """One line of reason on stderr, not log records too: python-escpos logs through the
    root logger, which would otherwise install a stderr handler on first use."""
    import logging
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def _fail(message: str, advice: str = "", status: int = 4) -> int:
    line = f"kiosk: {message}" + (f"; {advice}" if advice else "")
    print(" ".join(line.split()), file=sys.stderr)
    return status


def print_test(args) -> int:
    _quiet_logs()
    from datetime import datetime

    from hardware.ports import DeviceError, PrinterState
    from hardware.printer import PrinterUnavailable, open_printer
    from kiosk.receipts import FontMissing, printer_test_receipt, render_receipt

    try:
        rendered = render_receipt(printer_test_receipt(datetime.now().astimezone()))
    except FontMissing as exc:
        return _fail(str(exc), status=5)
    try:
        printer = open_printer(args.transport, port=args.port, baud=args.baud,
                               host=args.port if args.transport == "network" else None,
                               native_qr=not args.no_native_qr)
    except DeviceError as exc:
        return _fail(str(exc), exc.advice)
    printer.status_timeout = args.timeout
    with printer:
        try:
            sent = printer.print_image(rendered.image, "cli:print-test", rendered.qr_codes)
        except PrinterUnavailable as exc:
            return _fail(str(exc), exc.advice)
        state = printer.status()
    wire = f", {sent * 10 / args.baud:.2f} s on the wire at {args.baud} baud" \
        if args.transport == "serial" else ""
    print(f"printed a test receipt: {sent} bytes{wire}")
    if state.state is PrinterState.PAPER_NEAR_END:
        print(f"kiosk: warning: {state.detail}; {state.advice}", file=sys.stderr)
    return 0


def decode(args) -> int:
    _quiet_logs()
    from hardware.codereader import ImageUnreadable, decode_image

    try:
        codes = decode_image(Path(args.image))
    except ImageUnreadable as exc:
        return _fail(str(exc), exc.advice, status=1)
    if not codes:
        return _fail(f"no QR or barcode found in {args.image}", status=1)
    for code in codes:
        print(code)
    return 0


def parse_cccd_cmd(args) -> int:
    from kiosk.cccd import NotAnIdCard, parse_cccd

    try:
        card = parse_cccd(args.text)
    except NotAnIdCard as exc:
        return _fail(str(exc), status=1)
    print(json.dumps(card.as_json(), ensure_ascii=False))
    return 0


def scan(args) -> int:
    _quiet_logs()
    from hardware.ports import DeviceError
    from hardware.scanner import FolderScanner, SaneScanner, pages_to_pdf

    out = Path(args.out)
    if Path(args.device).is_dir():
        scanner = FolderScanner(args.device, args.dpi, timeout_s=args.timeout)
    else:
        scanner = SaneScanner(args.device, args.dpi, max_pages=args.max_pages,
                              options=dict(o.split("=", 1) for o in args.option))
    with scanner:
        try:
            pages = scanner.scan("cli:scan")
        except DeviceError as exc:
            return _fail(str(exc), exc.advice)
    pdf = pages_to_pdf(pages, args.dpi)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(pdf)
    tmp.replace(out)
    print(f"{len(pages)} page(s), {len(pdf) / 1000:.0f} KB → {out}")
    return 0


def sms(args) -> int:
    _quiet_logs()
    from hardware.modem import AtModem, ModemError
    from kiosk.pii import InvalidPhone, mask_phone, normalize_phone

    try:
        number = normalize_phone(args.to)
    except InvalidPhone as exc:
        return _fail(f"--to: {exc}", status=2)
    with AtModem(args.port, args.baud, timeout=args.timeout) as modem:
        try:
            ref = modem.send(number, args.text)
        except ModemError as exc:
            return _fail(str(exc), exc.advice)
    print(f"SMS sent to {mask_phone(number)}, reference {ref}")
    return 0


def _option(text: str) -> str:
    if "=" not in text:
        import argparse
        raise argparse.ArgumentTypeError(f"--option takes NAME=VALUE, got {text!r}")
    return text


def register(sub, groups) -> None:
    hw = groups["hw"]

    p = hw.add_parser("print-test", help="print a test receipt (Vietnamese text and a QR)",
                      description="Print a test receipt; exit 4 with the reason when the "
                                  "printer reports paper end, cover open or does not answer.")
    p.add_argument("--port", required=True,
                   help="serial device (e.g. /dev/ttyUSB0), file, or host for --transport "
                        "network")
    p.add_argument("--baud", type=int, choices=BAUDS, default=38400)
    p.add_argument("--transport", choices=("serial", "network", "file"), default="serial")
    p.add_argument("--timeout", type=float, default=1.0,
                   help="seconds to wait for a status reply (default 1)")
    p.add_argument("--no-native-qr", action="store_true",
                   help="draw the QR as raster for printers without GS ( k")
    p.set_defaults(func=print_test)

    p = hw.add_parser("decode", help="print every QR/barcode found in an image",
                      description="Decode codes in an image with zxing-cpp; one per line; "
                                  "exit 1 when there is none.")
    p.add_argument("image", help="PNG or JPEG file")
    p.set_defaults(func=decode)

    p = hw.add_parser("parse-cccd", help="parse the QR text of a chip ID card (CCCD)",
                      description="Print the CCCD QR fields as JSON with ISO dates; exit 1 "
                                  "with the reason when it is not an ID card QR.")
    p.add_argument("text", help="the QR text, fields separated by '|'")
    p.set_defaults(func=parse_cccd_cmd)

    p = hw.add_parser("scan", help="scan every page in the feeder into one PDF",
                      description="Scan with SANE (device name, e.g. 'test' or "
                                  "'epjitsu:libusb:001:004') or take the pages a network "
                                  "scanner put into a folder (give the folder).")
    p.add_argument("--device", required=True, help="SANE device name or a watched folder")
    p.add_argument("--out", required=True, help="the PDF to write")
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--max-pages", type=int, default=50)
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds to wait for a network scanner's pages")
    p.add_argument("--option", action="append", default=[], type=_option,
                   metavar="NAME=VALUE", help="extra scanimage option, e.g. "
                                              "test-picture=Grid")
    p.set_defaults(func=scan)

    p = hw.add_parser("sms", help="send one SMS through the GSM modem",
                      description="Send an SMS (UCS2, split at 70 characters).")
    p.add_argument("--port", required=True, help="serial device of the modem")
    p.add_argument("--to", required=True, help="Vietnamese mobile number, e.g. 0912345678")
    p.add_argument("--text", required=True)
    p.add_argument("--baud", type=int, choices=BAUDS, default=115200)
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a reply")
    p.set_defaults(func=sms)
