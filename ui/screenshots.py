"""Render every citizen screen in each language at 1920×1080 into PNG files.

``python -m ui.screenshots --out docs/screens`` writes ``<screen>.<lang>.png`` (for
example ``deposit-phone.vi.png``). The screens are reached by driving the real flow on
an in-memory demo world, so what is pictured is what a citizen sees.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtWidgets import QApplication  # noqa: E402

SIZE = (1920, 1080)
PHONE = "0912345678"
# a card issued before July 2025 carries the old address; the kiosk adds the 2025 ward
CARD = ("079123456789|123456789|Trần Thị Mai|01011960|Nữ|"
        "107 Cao Văn Lầu, Phường 2, Quận 6, TP.HCM|01012021")
# the evening before Tết 2027 (the example of docs/calendar.md): received 11/02/2027
AT = (2027, 2, 3, 20, 15)


def settle(win, timeout: float = 5.0) -> None:
    """Let queued work and signals finish so the picture shows the settled screen."""
    app = QApplication.instance()
    end = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < end:
        app.processEvents()
        if win.ops.pending == 0:
            quiet += 1
            if quiet > 5:
                return
        else:
            quiet = 0
        time.sleep(0.005)


def scenes(win, world):
    """(file stem, setup function) in the order a citizen meets them."""
    cit = world.citizen

    def deposit(code="1.013225"):
        win.home("home")
        win.session = {"flow": "deposit"}
        win.session["deposit"] = cit.start_deposit(code, win.tr.lang)
        win.session["phone"] = PHONE
        return win.session["deposit"]

    phones = iter(f"09123456{n:02d}" for n in range(10, 100))

    def verified(code="1.013225"):
        dep = deposit(code)
        cit.identify(dep, CARD)
        cit.deposit_phone(dep, next(phones))      # at most 3 codes per phone in 15 min
        cit.deposit_code(dep, world.sms.last_code())
        return dep

    def s_catalog():
        win.home("home")
        win.session = {"flow": "deposit"}
        win.go("deposit-catalog")

    def s_scan():
        dep = deposit("1.001193")
        dep.online = True
        dep.pages = world.scanner.scan("shot")
        win.go("deposit-scan")

    def s_scan_check():
        from kiosk.digitise.checks import Finding, PageReport
        s_scan()
        dep = win.session["deposit"]
        dep.page_reports = [PageReport(1), PageReport(2, [Finding("blurred", "blurred")])]
        screen = win.current()
        screen._batch_start = 0
        screen._show_findings([r for r in dep.page_reports if r.findings])

    def s_payment():
        world.payments.offline = False
        verified("1.013225")
        win.go("deposit-payment")

    def s_tray():
        dep = verified("1.001193")
        dep.payment_state = "paid"
        win.go("deposit-tray")

    def s_done():
        s_tray()
        settle(win)
        world.doors.close_door(win.session["deposit"].tray_id, occupied=True)

    def s_pickup_tray():
        win.home("home")
        other = "0987654321"
        world.load_result(other)
        world.load_result(other)
        win.session = {"flow": "pickup", "verified_phone": other, "phone": other}
        win.screens["pickup-tray"].start_pickup()

    def s_pickup_id():
        win.home("home")
        world.load_result(PHONE, needs_id_check=True, id_number="079123456789")
        win.session = {"flow": "pickup", "verified_phone": PHONE, "phone": PHONE}
        win.screens["pickup-tray"].start_pickup()

    def s_status_result():
        win.home("home")
        d = world.load_result(PHONE)
        win.go("status-result", items=[cit.status(d["code"])])

    def s_status_waiting():
        s_done()
        settle(win)
        code = win.session["deposit"].code
        win.home("home")
        win.go("status-result", items=[cit.status(code)])

    def s_privacy():
        dep = deposit("1.001193")
        cit.identify(dep, CARD)
        win.go("deposit-privacy")

    def s_vneid():
        deposit("1.001193")
        win.go("deposit-vneid")

    def s_vneid_refused():
        s_vneid()
        settle(win)
        world.vneid_link.refuse()
        end = time.monotonic() + 5
        screen = win.screens["deposit-vneid"]
        while time.monotonic() < end and not screen.error.isVisible():
            QApplication.instance().processEvents()
            time.sleep(0.02)

    def s_idle():
        deposit("1.001193")
        win.go("deposit-phone")
        win.idle_overlay.show_countdown(20)

    def simple(name, **ctx):
        def run():
            deposit("1.013225") if name.startswith("deposit") else win.home("home")
            win.session.setdefault("phone", PHONE)
            win.go(name, **ctx)
        return run

    def s_rating():
        win.home("home")
        win.go("rating", subject="kiosk")

    return [
        ("welcome", lambda: win.home("home")),
        ("deposit-catalog", s_catalog),
        ("deposit-procedure", simple("deposit-procedure")),
        ("deposit-identify", simple("deposit-identify")),
        ("deposit-vneid", s_vneid),
        ("deposit-vneid-refused", s_vneid_refused),
        ("deposit-privacy", s_privacy),
        ("deposit-phone", simple("deposit-phone")),
        ("deposit-otp", simple("deposit-otp")),
        ("deposit-scan", s_scan),
        ("deposit-scan-check", s_scan_check),
        ("deposit-payment", s_payment),
        ("deposit-tray", s_tray),
        ("deposit-done", s_done),
        ("rating", s_rating),
        ("pickup-phone", simple("pickup-phone")),
        ("pickup-otp", simple("pickup-otp")),
        ("pickup-id", s_pickup_id),
        ("pickup-tray", s_pickup_tray),
        ("status", simple("status")),
        ("status-result", s_status_result),
        ("status-waiting", s_status_waiting),
        ("problem", lambda: (win.home("home"), win.problem("tray.none_free", size="L"))),
        ("idle-warning", s_idle),
        ("help", lambda: (win.home("home"), win.header.help_btn.click())),
    ]


def each_screen(languages=("vi", "en", "zh"), *, large_text=False, high_contrast=False,
                only=None, receipts: list | None = None):
    """Yield ``(stem, lang, window)`` with the window settled on each screen in turn."""
    from kiosk.commands.help import HelpDesk
    from ui.demo_world import DemoWorld
    from ui.main_window import CitizenWindow
    app = QApplication.instance() or QApplication(sys.argv[:1])
    for lang in languages:
        from datetime import datetime
        from zoneinfo import ZoneInfo
        from kiosk.clock import ManualClock
        clock = ManualClock(datetime(*AT, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
        world = DemoWorld(clock=clock, catalog="snapshot")
        win = CitizenWindow(world.citizen, world.cfg, world.clock, vneid=world.vneid,
                            help_desk=HelpDesk(world.ledger, world.clock))
        try:
            win.setFixedSize(*SIZE)
            win.show()
            win.set_large_text(large_text)
            win.set_high_contrast(high_contrast)
            for stem, setup in scenes(win, world):
                if only and stem not in only:
                    continue
                win.set_language(lang)
                setup()
                settle(win)
                if receipts is not None and stem == "deposit-done":
                    settle(win)
                    if world.receipts.printed:      # the paper receipt of that deposit
                        receipts.append((lang, world.receipts.printed[-1].read_bytes()))
                yield stem, lang, win
                win.idle_overlay.hide()
            win.home("home")
            settle(win)
        finally:
            win.shutdown()
            win.close()
            win.deleteLater()
            app.processEvents()
            world.close()


def save_small_png(pixmap, path: Path, colours: int = 64) -> None:
    """Screens are flat colours and text: 64 colours keep them sharp at a third the size."""
    from PyQt5.QtCore import QBuffer, QIODevice
    from PIL import Image
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    pixmap.save(buf, "PNG")
    img = Image.open(io.BytesIO(bytes(buf.data()))).convert("RGB")
    img.quantize(colours).save(path, optimize=True)


def render(out: Path, languages=("vi", "en", "zh"), *, large_text=False,
           high_contrast=False, only=None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    suffix = (".large" if large_text else "") + (".contrast" if high_contrast else "")
    written, receipts = [], []
    for stem, lang, win in each_screen(languages, large_text=large_text,
                                       high_contrast=high_contrast, only=only,
                                       receipts=None if suffix else receipts):
        path = out / f"{stem}{suffix}.{lang}.png"
        save_small_png(win.grab(), path)
        written.append(path)
    for lang, png in receipts:             # receipt.<lang>.png: what the printer prints
        path = out / f"receipt.{lang}.png"
        path.write_bytes(png)
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screens")
    parser.add_argument("--lang", action="append", choices=("vi", "en", "zh"))
    parser.add_argument("--large-text", action="store_true")
    parser.add_argument("--high-contrast", action="store_true")
    parser.add_argument("--only", action="append")
    args = parser.parse_args(argv)
    paths = render(Path(args.out), tuple(args.lang or ("vi", "en", "zh")),
                   large_text=args.large_text, high_contrast=args.high_contrast,
                   only=args.only)
    print(f"{len(paths)} screens written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
