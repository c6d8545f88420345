"""Screenshots of the staff and technician screens (offscreen, ``QWidget.grab``).

``python -m ui.staff.screenshots --out docs/screens`` builds a demo kiosk in a temporary
folder (real store, ledger, sign-in, rounds and diagnostics; in-memory doors from
``ui.demo_world``), walks a round and the technician's screens, and writes one PNG per
screen: ``staff-*.png`` and ``technician-*.png``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import types
from datetime import datetime
from pathlib import Path

import pyotp

from hardware.ports import DeviceHealth, DeviceStatus
from kiosk.auth.staff import StaffAuth, totp_step
from kiosk.clock import ManualClock
from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.diagnostics import Diagnostics
from kiosk.services.rounds import RoundService

SIZE = (1920, 1080)


class _Health:
    def __init__(self, *items):
        self.items = list(items)

    def health(self):
        return self.items


class _ResultsList:
    """The city's results list as the sync area keeps it, in memory."""

    def __init__(self, rows):
        self.rows = {r["dossier_code"]: dict(r, loaded_at=None) for r in rows}

    def waiting(self):
        return [r for r in self.rows.values() if not r["loaded_at"]]

    def get(self, code):
        return self.rows.get(code)

    def mark_loaded(self, code):
        self.rows[code]["loaded_at"] = "now"
        self.rows[code]["phone"] = None
        return True


def _shrink(path: Path, colours: int = 64) -> None:
    """A flat UI needs few colours: a palette PNG is a fraction of the size."""
    from PIL import Image
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _settle(app, console, ms: int = 0) -> None:
    end = time.monotonic() + 10
    while time.monotonic() < end:
        app.processEvents()
        if console.ops.pending == 0:
            break
        time.sleep(0.01)
    app.processEvents()


def _deposit(world, tray: str, phone: str) -> str:
    led = world.ledger
    d = led.create_dossier(procedure_code="2.000635", procedure_name="Cấp bản sao trích lục hộ tịch",
                           state=D.DRAFT, actor="citizen", phone=phone, tray_size="S")
    txn = f"dep-{d['code']}"
    with led.transaction():
        led.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit", txn=txn,
                      dossier_code=d["code"], purpose="deposit")
        led.move_tray(tray, T.UNLOCKING, actor="citizen", reason="deposit", txn=txn)
        led.move_tray(tray, T.OPEN, actor="citizen", reason="deposit", txn=txn)
        led.move_tray(tray, T.OCCUPIED_DEPOSIT, actor="citizen", reason="closed", txn=txn)
        led.move_dossier(d["code"], D.DEPOSITED, actor="citizen", reason="closed",
                         tray_id=tray)
    return d["code"]


def build_world(folder: Path):
    from ui.demo_world import DemoWorld
    clock = ManualClock(datetime(2026, 11, 24, 13, 20), zone="Asia/Ho_Chi_Minh")
    world = DemoWorld(folder, clock=clock)
    auth = StaffAuth(world.ledger, clock, folder / "secrets" / "staff-totp.json",
                     scrypt_n=2 ** 10)
    cfg = world.cfg
    results = _ResultsList([
        {"dossier_code": "HS261120-AB3CD", "procedure_code": "2.000635",
         "procedure_name": "Cấp bản sao trích lục hộ tịch", "tray_size": "S",
         "phone": "0912345678", "phone_masked": "*******678"},
        {"dossier_code": "HS261121-K7M2P", "procedure_code": "1.004222",
         "procedure_name": "Đăng ký thường trú", "tray_size": "M",
         "phone": "0987654321", "phone_masked": "*******321"}])
    rounds = RoundService(ledger=world.ledger, doors=world.doors, clock=clock,
                          round_times=cfg.rounds.times, expiry_days=cfg.rounds.expiry_days,
                          reminder_hours_before=cfg.rounds.reminder_hours_before,
                          sms=world.sms, results=results, kiosk_id=cfg.kiosk.id,
                          kiosk_name=cfg.kiosk.name, office=cfg.kiosk.office,
                          office_address=cfg.kiosk.office_address)
    # an expired result from three days ago
    run = rounds.begin("staff:nv02")
    step = rounds.start_load(run, "HS261118-EX7PD", phone="0903123456", size="S")
    world.doors.close_door(step.tray, True)
    clock.set(datetime(2026, 11, 27, 13, 25, tzinfo=clock.zone))
    rounds.run_expiry()
    for tray in ("A02", "A03", "A10"):
        _deposit(world, tray, "0912345678")
    world.ledger.move_tray("A20", T.TAMPERED, actor="system:doors",
                           reason="door opened with no unlock command")
    world.ledger.move_tray("A07", T.OUT_OF_SERVICE, actor="technician:kt01",
                           reason="hinge loose")
    diag = Diagnostics(
        ledger=world.ledger, clock=clock, data_dir=folder / "data", doors=world.doors,
        devices={"lock boards": _Health(
            DeviceHealth("lockboard:bus-a:0", DeviceStatus.ONLINE, "16 locks"),
            DeviceHealth("lockboard:bus-a:1", DeviceStatus.ONLINE, "16 locks")),
            "printer": _Health(DeviceHealth("printer", DeviceStatus.ONLINE, "paper ok")),
            "scanner": _Health(DeviceHealth("scanner", DeviceStatus.ONLINE, "SANE test")),
            "code reader": _Health(DeviceHealth("code_reader", DeviceStatus.ONLINE,
                                                "listening on /dev/ttyACM0")),
            "modem": _Health(DeviceHealth("modem", DeviceStatus.OFFLINE,
                                          "the modem did not answer within 5 s",
                                          "check the modem's power and cable; SMS stay "
                                          "queued meanwhile"))},
        sync_status=lambda: types.SimpleNamespace(last_contact="2026-11-27T06:29:41Z"))
    clock.set(datetime(2026, 11, 27, 13, 30, tzinfo=clock.zone))
    auth.add("nv01", "Lê Văn Nam", "482913")
    auth.add("kt01", "Phạm Minh Tuấn", "739164", role="technician")
    services = types.SimpleNamespace(cfg=cfg, clock=clock, staff_auth=auth, rounds=rounds,
                                     diagnostics=diag, code_reader=None)
    return world, services


def _sign_in(app, console, staff_id: str, pin: str) -> None:
    screen = console.screens["signin"]
    secret = console.auth.secrets.get(staff_id)
    console.clock.advance(31)
    screen.fields["id"].setText(staff_id.upper())
    screen.fields["pin"].setText(pin)
    screen.fields["code"].setText(pyotp.TOTP(secret).generate_otp(
        totp_step(console.clock.now())))
    screen.submit()
    _settle(app, console)


def shoot(out: Path) -> list[Path]:
    import tempfile
    from PyQt5.QtWidgets import QApplication
    from ui.staff.console import ServiceConsole
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-staff-shots-") as tmp:
        world, services = build_world(Path(tmp))
        console = ServiceConsole(services)
        console.resize(*SIZE)
        console.show()

        def grab(name: str) -> None:
            _settle(app, console)
            path = out / f"{name}.png"
            console.grab().save(str(path))
            _shrink(path)
            written.append(path)

        try:
            signin = console.screens["signin"]
            signin.fields["id"].setText("NV01")
            signin.fields["pin"].setText("4829")
            grab("staff-signin")
            signin.wipe()
            _sign_in(app, console, "nv01", "482913")
            grab("staff-overview")
            console.show_screen("collect")
            grab("staff-collect")
            collect = console.screens["collect"]
            collect.confirm(None)
            _settle(app, console)
            grab("staff-collect-confirmed")
            world.doors.close_door(collect.step.tray, False)
            console.show_screen("load")
            load = console.screens["load"]
            load.on_code("HS261121-K7M2P")
            _settle(app, console)
            load.start()
            _settle(app, console)
            grab("staff-load-open")
            world.doors.close_door(load.pending.tray, True)
            _settle(app, console)
            load.code.setText("HS261101-ZZ9XY")
            load.lookup()
            _settle(app, console)
            load.phone.setText("0912345678")
            grab("staff-load-manual")
            console.show_screen("retrieve")
            grab("staff-retrieve")
            console.screens["retrieve"].confirm(None)
            _settle(app, console)
            console.show_screen("report")
            grab("staff-report")
            console.sign_out("screenshots")
            console.show()
            _sign_in(app, console, "kt01", "739164")
            grab("technician-diagnostics")
            console.show_screen("trays")
            _settle(app, console)
            console.screens["trays"].pick("A20")
            console.screens["trays"].reason.setText("Báo động mở cửa")
            grab("technician-trays")
            console.show_screen("journal")
            console.screens["journal"].dest.setText("/media/usb0/kiosk-exports")
            grab("technician-journal")
        finally:
            console.sign_out("screenshots done")
            _settle(app, console)
            console.shutdown()
            world.close()
    return written


def main(argv=None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/screens")
    args = parser.parse_args(argv)
    for path in shoot(Path(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
