"""A self-contained kiosk world in memory for screenshots, UI tests and demos.

Real store, ledger, OTP and citizen service on a temporary SQLite file; the devices are
small in-process stand-ins (doors that open on command and close when told, an SMS
inbox, a printer that writes PNG receipts). The simulators on pseudo-terminals replace
them in the end-to-end runs.
"""
from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

from PIL import Image

from kiosk.auth.otp import OtpService
from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.models import TrayState as T
from kiosk.pii import Pii
from kiosk.services.citizen import Catalog, CitizenService, DoorState, PrinterState
from kiosk.services.ledger import Ledger
from kiosk.store import Store

SAMPLE_CATALOG = Path(__file__).with_name("sample_catalog.json")


class MemoryDoors:
    """Doors that open at once and close when ``close_door`` is called."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self._state: dict[str, DoorState] = {}
        self._occupied: dict[str, bool | None] = {}
        self._listeners = []
        self._lock = threading.Lock()
        self.refuse_open = False

    def add_listener(self, callback):
        self._listeners.append(callback)

    def free_tray(self, size: str) -> str | None:
        trays = self.ledger.trays(state=T.EMPTY, size=size)
        return trays[0]["id"] if trays else None

    def door(self, tray_id: str) -> DoorState:
        return self._state.get(tray_id, DoorState.LOCKED)

    def reading(self, tray_id: str):
        """The last reading (door, occupied), like the door service's."""
        from types import SimpleNamespace
        return SimpleNamespace(door=self.door(tray_id),
                               occupied=self._occupied.get(tray_id))

    def open(self, tray_id: str, *, actor: str, reason: str, txn: str) -> bool:
        with self._lock:
            self.ledger.move_tray(tray_id, T.UNLOCKING, actor=actor, reason=reason, txn=txn)
            if self.refuse_open:
                prior = self.ledger.tray(tray_id)["prior_state"]
                self.ledger.move_tray(tray_id, prior, actor=actor, reason="door did not open",
                                      txn=txn)
                return False
            self.ledger.move_tray(tray_id, T.OPEN, actor=actor, reason=reason, txn=txn)
            self._state[tray_id] = DoorState.OPEN
        self._emit(tray_id, DoorState.OPEN, None)
        return True

    def close_door(self, tray_id: str, occupied: bool | None = True) -> None:
        with self._lock:
            self._state[tray_id] = DoorState.LOCKED
            self._occupied[tray_id] = occupied
        self._emit(tray_id, DoorState.LOCKED, occupied)

    def _emit(self, tray_id, state, occupied):
        for cb in list(self._listeners):
            cb(tray_id, state, occupied)


class SmsInbox:
    def __init__(self):
        self.messages: list[tuple[str, str, str]] = []
        self.fail = False

    def send(self, phone: str, text: str, *, key: str) -> str:
        if self.fail:
            raise ConnectionError("SMS link down")
        self.messages.append((phone, text, key))
        return key

    def otp_send(self, phone, text, *, key):
        self.send(phone, text, key=key)

    def last_code(self) -> str:
        import re
        for _, text, _ in reversed(self.messages):
            m = re.search(r"\b(\d{6})\b", text)
            if m:
                return m.group(1)
        raise LookupError("no code in the inbox")


class PngReceipts:
    """A printer that writes each receipt as a PNG with the dossier code as a QR."""

    def __init__(self, out_dir: Path, desk=None):
        self.out_dir = Path(out_dir)
        self.desk = desk                 # kiosk.services.receipt_desk.ReceiptDesk
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.paper = PrinterState.OK
        self.printed: list[Path] = []

    def state(self) -> PrinterState:
        return self.paper

    def print_receipt(self, receipt: dict, *, txn: str) -> None:
        """Draw the receipt with the kiosk's own renderer (as the printer would print it)."""
        if self.paper not in (PrinterState.OK, PrinterState.PAPER_NEAR_END):
            raise RuntimeError(f"printer: {self.paper.value}")
        from kiosk.receipts import render_receipt, render_text_sheet
        if receipt.get("kind") == "privacy_notice":
            rendered = render_text_sheet(receipt.get("text", ""))
        else:
            rendered = render_receipt(self.desk.to_receipt(receipt, txn=txn))
        img = rendered.image.convert("L")
        for slot in rendered.qr_codes:           # the printer draws these itself
            import io
            import segno
            buf = io.BytesIO()
            segno.make_qr(slot.data, error=slot.ec.lower(), boost_error=False).save(
                buf, kind="png", scale=slot.module, border=0)
            buf.seek(0)
            qr = Image.open(buf).convert("L")
            img.paste(qr, ((img.width - qr.width) // 2, slot.top + 4 * slot.module))
        path = self.out_dir / f"receipt-{len(self.printed) + 1:03d}.png"
        img.convert("1").save(path)
        self.printed.append(path)


class DemoVneid:
    """The city's VNeID link as an in-process stand-in: a request waits until
    ``confirm``, ``refuse`` or ``expire`` is called (the app's side)."""

    def __init__(self):
        self.requests: dict[str, dict] = {}

    def start(self, *, key: str, purpose: str):
        from kiosk.vneid import VneidRequest
        rid = f"{len(self.requests) + 1:016x}"
        self.requests[rid] = {"state": "pending", "name": "", "id_number": ""}
        return VneidRequest(rid, f"VNEID:KIOSK-ID:1:{rid}:{key[:12]}", "")

    def poll(self, request_id: str):
        from kiosk.vneid import VneidAnswer
        r = self.requests[request_id]
        return VneidAnswer(r["state"], r["name"], r["id_number"])

    def last(self) -> str:
        return list(self.requests)[-1]

    def confirm(self, name: str, id_number: str, request_id: str | None = None) -> None:
        self.requests[request_id or self.last()].update(state="confirmed", name=name,
                                                        id_number=id_number)

    def refuse(self, request_id: str | None = None) -> None:
        self.requests[request_id or self.last()]["state"] = "refused"

    def expire(self, request_id: str | None = None) -> None:
        self.requests[request_id or self.last()]["state"] = "expired"


class PaperFeeder:
    """A scanner whose feeder holds made-up pages; ``jam`` makes the next scan fail."""

    def __init__(self, pages: int = 2):
        self.pages = pages
        self.jam = False

    def scan(self, txn: str) -> list:
        from PIL import Image, ImageDraw
        if self.jam:
            raise RuntimeError("paper jam in the scanner")
        out = []
        for n in range(self.pages):
            img = Image.new("RGB", (850, 1100), "white")
            draw = ImageDraw.Draw(img)
            draw.rectangle((60, 60, 790, 140), outline="black", width=4)
            for y in range(200, 1000, 40):
                draw.line((80, y, 770 - (y * 7) % 200, y), fill=(90, 90, 90), width=6)
            draw.text((70, 80), f"PAGE {n + 1}", fill="black")
            out.append(img)
        return out


class PaymentsDesk:
    """Payments that turn 'paid' when ``mark_paid`` is called (or raise when offline)."""

    def __init__(self):
        self.offline = False
        self._state: dict[str, str] = {}

    def create(self, *, reference: str, amount: int, purpose: str,
               dossier_code: str | None = None) -> dict:
        if self.offline:
            raise ConnectionError("city link down")
        self._state[reference] = "pending"
        return {"id": reference}

    def status(self, payment_id: str) -> str:
        if self.offline:
            raise ConnectionError("city link down")
        return self._state.get(payment_id, "failed")

    def mark_paid(self, payment_id: str | None = None) -> None:
        for k in self._state:
            if payment_id in (None, k):
                self._state[k] = "paid"


class DemoWorld:
    """Everything a citizen screen needs, built on a temporary folder."""

    def __init__(self, folder: str | Path | None = None, *, clock=None, config=None,
                 catalog: str = "sample"):
        self._tmp = None
        if folder is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-ui-")
            folder = self._tmp.name
        self.folder = Path(folder)
        self.cfg = config or load_config()
        self.clock = clock or SystemClock()
        self.store = Store.open(self.folder / "kiosk.db")
        self.pii = Pii(b"demo-key-for-screens-0123456789")
        self.ledger = Ledger(self.store, self.clock, self.pii, kiosk_id=self.cfg.kiosk.id)
        self.ledger.sync_trays(self.cfg.trays())
        self.doors = MemoryDoors(self.ledger)
        self.sms = SmsInbox()
        from kiosk.services.receipt_desk import ReceiptDesk
        self.receipts = PngReceipts(self.folder / "receipts", ReceiptDesk(
            None, self.clock, kiosk_name=self.cfg.kiosk.name, office=self.cfg.kiosk.office,
            hotline=self.cfg.kiosk.hotline))
        self.payments = PaymentsDesk()
        self.scanner = PaperFeeder()
        self.otp = OtpService(self.clock, b"demo-otp-key-0123456789abcdef", self.sms.otp_send)
        if catalog == "snapshot":        # the catalog the package ships (screenshots)
            from kiosk.catalog import SnapshotCatalog
            catalog = Catalog(SnapshotCatalog())
        else:                            # six procedures the UI tests know
            catalog = Catalog(json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8")))
        from kiosk.vneid import VneidIdentifier
        self.vneid_link = DemoVneid()
        self.vneid = VneidIdentifier(self.vneid_link)
        from kiosk.appointments import AppointmentBook, calendar_for
        self.appointments = AppointmentBook(self.store, self.clock, calendar_for(
            self.cfg, catalog._source if hasattr(catalog._source, "calendar") else None))
        k = self.cfg.kiosk
        self.citizen = CitizenService(
            ledger=self.ledger, clock=self.clock, pii=self.pii, otp=self.otp,
            doors=self.doors, catalog=catalog, sms=self.sms, payments=self.payments,
            receipts=self.receipts, scanner=self.scanner, hotline=k.hotline,
            kiosk_id=k.id, office=k.office, appointments=self.appointments,
            offices={"vi": k.office, "en": k.office_en or k.office,
                     "zh": k.office_zh or k.office})

    def load_result(self, phone: str, *, procedure="1.001193", needs_id_check=False,
                    id_number=None, size="M") -> dict:
        """Put a result for ``phone`` into a free tray, as staff would."""
        from kiosk.models import DossierState as D
        tray = self.doors.free_tray(size)
        with self.ledger.transaction():
            d = self.ledger.create_dossier(procedure_code=procedure,
                                           procedure_name="Kết quả hồ sơ", state=D.COLLECTED,
                                           actor="staff:S001", phone=phone,
                                           id_number=id_number, tray_size=size,
                                           needs_id_check=needs_id_check)
            self.ledger.move_tray(tray, T.RESERVED, actor="staff:S001", reason="load result",
                                  dossier_code=d["code"], purpose="result")
            self.ledger.move_tray(tray, T.UNLOCKING, actor="staff:S001", reason="load result")
            self.ledger.move_tray(tray, T.OPEN, actor="staff:S001", reason="load result")
            self.ledger.move_tray(tray, T.OCCUPIED_RESULT, actor="staff:S001",
                                  reason="result loaded")
            d = self.ledger.move_dossier(d["code"], "RESULT_LOADED", actor="staff:S001",
                                         reason="result loaded", tray_id=tray)
        return d

    def close(self) -> None:
        self.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
