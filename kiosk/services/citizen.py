"""What a citizen can do at the machine, with no Qt in sight.

The screens call these use cases (from a worker thread when they may block) and show
what comes back; every refusal is a ``CitizenError`` whose ``reason`` is a stable key the
UI turns into plain words in the citizen's language. Devices and the city link are
small ports passed in, so the same code runs with the simulators and the real kiosk.

Deposit, in order: choose a procedure → identify (CCCD QR or typed ID) → phone → SMS
code → optional scan → fee by VietQR → a tray of the right size is reserved and opens →
the deposit is recorded only when the door is shut again (and, where the board has an
item sensor, something is inside) → receipt on paper and by SMS. Backing out (cancel or
idle) before the door closes releases the tray and cancels the draft.
"""
from __future__ import annotations

import io
import logging
import re
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from hardware.ports import DoorState, PrinterState
from kiosk.auth.otp import OtpError, OtpService
from kiosk.cccd import NotAnIdCard, is_dossier_code, parse_cccd
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import InvalidPhone, mask_id, mask_phone, normalize_phone
from kiosk.vietqr import VietQr

__all__ = ["CitizenService", "CitizenError", "Catalog", "Procedure", "Deposit", "DoorState",
           "PrinterState", "fold", "parse_id_text"]
log = logging.getLogger(__name__)
ACTOR = "citizen"
LANGS = ("vi", "en", "zh")


class CitizenError(Exception):
    """A refusal the citizen must be told about; ``reason`` picks the UI message."""

    def __init__(self, reason: str, message: str = "", **details):
        super().__init__(message or reason)
        self.reason = reason
        self.details = details


# ---- ports (implemented by other areas, wired in kiosk/app.py) ---------------------
class DoorPort(Protocol):
    def open(self, tray_id: str, *, actor: str, reason: str, txn: str) -> bool: ...
    def free_tray(self, size: str) -> str | None: ...
    def add_listener(self, callback: Callable[[str, DoorState, bool | None], None]) -> None: ...
    def door(self, tray_id: str) -> DoorState: ...


class CatalogPort(Protocol):
    def procedures(self) -> list[dict]: ...


class SmsPort(Protocol):
    def send(self, phone: str, text: str, *, key: str) -> object: ...


class PaymentPort(Protocol):
    def create(self, *, reference: str, amount: int, purpose: str) -> dict:
        """Returns at least ``{"id": ..., "payload": <EMVCo text>}``; raises when offline."""

    def status(self, payment_id: str) -> str:
        """'pending', 'paid', 'failed' or 'expired'."""


class ReceiptPort(Protocol):
    def print_receipt(self, receipt: dict, *, txn: str) -> None:
        """Print one receipt; raises when the printer cannot (paper out, offline...)."""

    def state(self) -> PrinterState: ...


class ScannerPort(Protocol):
    def scan(self, txn: str) -> list: ...


class UploadPort(Protocol):
    def upload(self, dossier_code: str, pdf: bytes, *, key: str) -> None: ...


# ---- catalog --------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower-case without diacritics, so 'dang ky khai sinh' finds 'Đăng ký khai sinh'."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Procedure:
    code: str
    names: dict                    # lang → name
    category: dict                 # lang → category name
    required_docs: dict            # lang → [document, ...]
    fee: int = 0
    tray_size: str = "M"
    online_allowed: bool = False
    needs_id_check: bool = False
    processing_days: int = 0
    handling_body: dict = field(default_factory=dict)    # {"level", "vi", "en", "zh"}

    @classmethod
    def from_dict(cls, d: dict) -> "Procedure":
        def per_lang(value, default=""):
            if isinstance(value, dict):
                return {lang: value.get(lang) or value.get("vi") or default for lang in LANGS}
            return {lang: value if value is not None else default for lang in LANGS}
        names = per_lang(d.get("names") or d.get("name"))
        return cls(code=str(d["code"]), names=names,
                   category=per_lang(d.get("category") or d.get("categories") or "Khác"),
                   required_docs=per_lang(d.get("required_docs") or [], []),
                   fee=int(d.get("fee") or 0), tray_size=d.get("tray_size") or "M",
                   online_allowed=bool(d.get("online_allowed")),
                   needs_id_check=bool(d.get("needs_id_check")),
                   processing_days=int(d.get("processing_days") or 0),
                   handling_body=dict(d.get("handling_body") or {}))

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["vi"]


class Catalog:
    """The procedure list with search that works with or without Vietnamese marks."""

    def __init__(self, source: CatalogPort | Iterable[dict]):
        self._source = source
        self._items: list[Procedure] | None = None
        self._key: tuple = ()

    def items(self) -> list[Procedure]:
        """The current list; a live source (the city's catalog cache) is asked each time
        so a refresh shows at once, an empty answer is never kept."""
        if hasattr(self._source, "procedures"):
            raw = self._source.procedures()
            version = getattr(self._source, "source", dict)().get("version")
            key = (version, *(d.get("code") for d in raw))
            if self._items is None or self._key != key:
                self._items, self._key = [Procedure.from_dict(d) for d in raw], key
            return self._items
        if self._items is None:
            self._items = [Procedure.from_dict(d) for d in self._source]
        return self._items

    def refresh(self) -> None:
        self._items = None

    def version(self) -> dict:
        """Which catalog is shown (``origin``, ``version``, ``published``), if known."""
        src = getattr(self._source, "source", None)
        return src() if callable(src) else {}

    def get(self, code: str) -> Procedure:
        for p in self.items():
            if p.code == code:
                return p
        raise CitizenError("catalog.unknown", f"no procedure {code!r} in the catalog")

    def categories(self, lang: str = "vi") -> list[str]:
        seen: list[str] = []
        for p in self.items():
            if p.category[lang] not in seen:
                seen.append(p.category[lang])
        return seen

    def search(self, text: str = "", category: str | None = None,
               lang: str = "vi") -> list[Procedure]:
        words = fold(text).split()
        out = []
        for p in self.items():
            if category and p.category[lang] != category:
                continue
            hay = fold(" ".join([p.code, *p.names.values(), *p.category.values()]))
            if all(w in hay for w in words):
                out.append(p)
        return out


# ---- identity -------------------------------------------------------------------------
def parse_id_text(text: str) -> dict:
    """A CCCD QR ('001099012345|123456789|Trần Thị Mai|01011990|Nữ|...|01012021') or a
    typed ID number (12-digit CCCD, or 9-digit old CMND) → {'id_number', 'name'}."""
    text = (text or "").strip()
    if "|" in text:
        try:
            card = parse_cccd(text)
        except NotAnIdCard as exc:
            raise CitizenError("id.unreadable", f"not a readable ID card QR: {exc.reason}") \
                from None
        return {"id_number": card.id, "name": card.name, "address": card.address}
    else:
        number, name = re.sub(r"[\s.\-]", "", text), ""
    if not re.fullmatch(r"[0-9]{9}|[0-9]{12}", number):   # ASCII digits only
        raise CitizenError("id.invalid", "an ID number has 12 digits (chip ID card) "
                           "or 9 digits (old ID card)")
    return {"id_number": number, "name": name}


# ---- deposit session --------------------------------------------------------------------
@dataclass
class Deposit:
    """Everything one citizen has entered so far; wiped on cancel, idle or finish."""

    procedure: Procedure
    lang: str = "vi"
    txn: str = field(default_factory=lambda: uuid.uuid4().hex)
    id_number: str | None = None
    name: str = ""
    address: object = None          # kiosk.wards.AddressReading from the card, if any
    phone: str | None = None
    otp_challenge: str | None = None
    phone_verified: bool = False
    pages: list = field(default_factory=list)
    online: bool = False
    payment: dict | None = None
    payment_state: str = "none"     # none | pending | paid | at_counter
    tray_id: str | None = None
    code: str | None = None
    finished: bool = False
    closed_empty: bool = False
    cancelling: bool = False        # backed out with the door open: ends when it shuts

    def wipe(self) -> None:
        self.id_number = self.phone = self.otp_challenge = self.address = None
        self.name = ""
        self.pages = []
        self.payment = None


@dataclass
class PayeeAccount:
    bank_bin: str = "970436"
    account: str = "0011001234567"


PRIVACY_NOTICE = {
    "vi": ("THÔNG BÁO VỀ DỮ LIỆU CÁ NHÂN\n"
           "Số điện thoại của Ông/Bà chỉ dùng để gửi mã xác thực và báo tình trạng hồ sơ.\n"
           "Số CCCD chỉ dùng để đối chiếu khi nhận kết quả.\n"
           "Máy chỉ lưu dạng mã hóa và dạng che (******678), và xóa khi hồ sơ kết thúc "
           "và hết thời hạn lưu trữ.\n"
           "Ông/Bà có thể hỏi hoặc yêu cầu xóa qua tổng đài {hotline}."),
    "en": ("ABOUT YOUR PERSONAL DATA\n"
           "Your phone number is used only to send you codes and news about your dossier.\n"
           "Your ID number is used only to check it is you when you pick up a result.\n"
           "The machine keeps them only encrypted and masked (******678) and deletes them "
           "when your dossier is closed and the keeping period ends.\n"
           "Ask questions or ask for deletion at hotline {hotline}."),
    "zh": ("个人信息说明\n"
           "您的手机号码仅用于发送验证码和办理进度通知。\n"
           "身份证号码仅用于领取结果时核对身份。\n"
           "本机只保存加密和遮盖形式（******678），档案结束并过保存期后删除。\n"
           "如有疑问或要求删除，请拨打热线 {hotline}。"),
}


class CitizenService:
    """The citizen's use cases. Blocking calls are marked; the UI runs them off-thread."""

    def __init__(self, *, ledger, clock, pii, otp: OtpService, doors: DoorPort,
                 catalog: Catalog, sms: SmsPort | None = None,
                 payments: PaymentPort | None = None, receipts: ReceiptPort | None = None,
                 scanner: ScannerPort | None = None, uploads: UploadPort | None = None,
                 hotline: str = "1022", kiosk_id: str = "", office: str = "",
                 payee: PayeeAccount | None = None,
                 pdf_maker: Callable[[list], bytes] | None = None, power=None,
                 appointments=None, offices: dict | None = None):
        self.ledger, self.clock, self.pii, self.otp = ledger, clock, pii, otp
        self.doors, self.catalog, self.sms = doors, catalog, sms
        self.payments, self.receipts, self.scanner, self.uploads = \
            payments, receipts, scanner, uploads
        self.hotline, self.kiosk_id, self.office = hotline, kiosk_id, office
        self.payee = payee or PayeeAccount()
        self.pdf_maker = pdf_maker
        self.power = power          # PowerGuard: on battery, no new transaction starts
        self.appointments = appointments    # AppointmentBook: the date to come back
        self.offices = offices or {"vi": office}     # lang → this ward centre's name
        self._lock = threading.RLock()
        self._waiting: dict[str, Deposit] = {}     # tray → deposit waiting for its door
        self._pickups: dict[str, dict] = {}        # tray → result opened, not finished
        self._door_listeners: list[Callable[[str, DoorState, bool | None], None]] = []
        self._completed_listeners: list[Callable[[Deposit], None]] = []
        doors.add_listener(self._on_door)

    # -- catalog, identity, phone ------------------------------------------------------
    def start_deposit(self, procedure_code: str, lang: str = "vi") -> Deposit:
        return Deposit(self.catalog.get(procedure_code), lang=lang)

    def identify(self, deposit: Deposit, text: str) -> None:
        found = parse_id_text(text)
        deposit.id_number, deposit.name = found["id_number"], found["name"]
        deposit.address = None
        if found.get("address"):
            from kiosk.wards import read_address
            deposit.address = read_address(found["address"])

    @staticmethod
    def phone(text: str) -> str:
        try:
            return normalize_phone(text)
        except InvalidPhone as exc:
            raise CitizenError("phone.invalid", str(exc)) from None

    def privacy_notice(self, lang: str = "vi") -> str:
        return PRIVACY_NOTICE.get(lang, PRIVACY_NOTICE["vi"]).format(hotline=self.hotline)

    def print_privacy_notice(self, lang: str = "vi") -> None:
        """Blocking: print the notice; raises CitizenError('printer.unavailable')."""
        self._print({"kind": "privacy_notice", "lang": lang,
                     "text": self.privacy_notice(lang)}, uuid.uuid4().hex)

    # -- OTP ------------------------------------------------------------------------------
    def send_code(self, phone_text: str) -> str:
        """Blocking (SMS): send a code; returns the challenge id."""
        phone = self.phone(phone_text)
        try:
            return self.otp.request(phone)
        except OtpError as exc:
            raise CitizenError(exc.reason, str(exc),
                               retry_after_s=getattr(exc, "retry_after_s", 0)) from None
        except Exception as exc:
            log.warning("OTP SMS to %s failed: %s", mask_phone(phone), exc)
            raise CitizenError("sms.failed", "the SMS could not be sent") from None

    def check_code(self, challenge_id: str, code: str) -> None:
        try:
            self.otp.verify(challenge_id, code)
        except OtpError as exc:
            raise CitizenError(exc.reason, str(exc),
                               tries_left=getattr(exc, "tries_left", 0)) from None

    def deposit_phone(self, deposit: Deposit, phone_text: str) -> None:
        """Blocking: remember the phone and send it a code."""
        phone = self.phone(phone_text)
        deposit.otp_challenge = self.send_code(phone)
        deposit.phone, deposit.phone_verified = phone, False

    def deposit_code(self, deposit: Deposit, code: str) -> None:
        if not deposit.otp_challenge:
            raise CitizenError("otp.expired")
        self.check_code(deposit.otp_challenge, code)
        deposit.phone_verified = True
        deposit.otp_challenge = None

    # -- scanning and online submission --------------------------------------------------
    def scan(self, deposit: Deposit) -> list:
        """Blocking: scan the papers in the feeder and add the pages to the deposit."""
        if self.scanner is None:
            raise CitizenError("scanner.unavailable")
        try:
            pages = self.scanner.scan(deposit.txn)
        except Exception as exc:
            state = getattr(getattr(exc, "state", None), "value", None)
            text = str(exc).lower()
            if state == "jam" or (state is None and "jam" in text):
                reason = "scanner.jam"
            elif state == "no-paper" or (state is None and "paper" in text):
                reason = "scanner.no_paper"
            else:
                reason = "scanner.unavailable"
            raise CitizenError(reason, str(exc)) from None
        if not pages:
            raise CitizenError("scanner.no_paper", "the feeder is empty")
        deposit.pages.extend(pages)
        return pages

    def cancel_scan(self) -> None:
        """Stop a scan still waiting for paper (Back, Home, idle)."""
        cancel = getattr(self.scanner, "cancel", None)
        if cancel is not None:
            cancel()

    def pages_pdf(self, pages: list) -> bytes:
        """The scanned pages as one PDF: the scanner's own maker when wired (grey JPEGs
        sized to the page budget), else plain JPEGs."""
        if self.pdf_maker is not None:
            return self.pdf_maker(pages)
        import img2pdf
        blobs = []
        for page in pages:
            buf = io.BytesIO()
            page.convert("RGB").save(buf, format="JPEG", quality=85)
            blobs.append(buf.getvalue())
        return img2pdf.convert(blobs)

    # -- payment --------------------------------------------------------------------------
    def start_payment(self, deposit: Deposit) -> dict:
        """Blocking (city): a VietQR for the fee; offline → pay at the counter later."""
        fee = deposit.procedure.fee
        if fee <= 0:
            deposit.payment_state = "paid"
            return {"state": "free"}
        purpose = f"{self.kiosk_id} {deposit.txn[:10]} {deposit.procedure.code}"
        if self.payments is None:
            deposit.payment_state = "at_counter"
            return {"state": "at_counter"}
        try:
            created = self.payments.create(reference=deposit.txn, amount=fee, purpose=purpose)
        except Exception as exc:
            log.info("payment service unavailable (%s); fee to be paid at the counter", exc)
            deposit.payment_state = "at_counter"
            return {"state": "at_counter"}
        payload = created.get("payload") or VietQr(self.payee.bank_bin, self.payee.account,
                                                   fee, purpose).payload()
        deposit.payment = {"id": created.get("id"), "payload": payload, "amount": fee}
        deposit.payment_state = "pending"
        return {"state": "pending", **deposit.payment}

    def payment_state(self, deposit: Deposit) -> str:
        """Blocking (city): 'paid', 'pending', 'failed' or 'at_counter'."""
        if deposit.payment_state != "pending":
            return deposit.payment_state
        try:
            state = self.payments.status(deposit.payment["id"])
        except Exception:
            return "pending"
        if state == "paid":
            deposit.payment_state = "paid"
        elif state in ("failed", "expired"):
            return "failed"
        return deposit.payment_state

    def pay_at_counter(self, deposit: Deposit) -> None:
        deposit.payment_state = "at_counter"

    # -- tray -----------------------------------------------------------------------------
    def reserve_tray(self, deposit: Deposit) -> str:
        """Reserve a free tray of the procedure's size and start the dossier as a draft."""
        if deposit.tray_id:
            return deposit.tray_id
        self._check_power()
        size = deposit.procedure.tray_size
        with self._lock:
            tray_id = self.doors.free_tray(size)
            if tray_id is None:
                raise CitizenError("tray.none_free", f"no free tray of size {size}", size=size)
            promise = self._promise(deposit)
            with self.ledger.transaction():
                dossier = self.ledger.create_dossier(
                    procedure_code=deposit.procedure.code,
                    procedure_name=deposit.procedure.name("vi"), state=D.DRAFT,
                    actor=ACTOR, phone=deposit.phone, id_number=deposit.id_number,
                    tray_size=size, fee=deposit.procedure.fee, channel="kiosk",
                    needs_id_check=deposit.procedure.needs_id_check,
                    citizen_name=deposit.name or None,
                    data={"txn": deposit.txn, "payment": deposit.payment_state, **promise},
                    fields={"payment": deposit.payment_state},
                    city_extra={**promise, **self._address_for_city(deposit)})
                self._keep_promise(dossier["code"], promise)
                self.ledger.move_tray(tray_id, T.RESERVED, actor=ACTOR, reason="deposit",
                                      txn=deposit.txn, dossier_code=dossier["code"],
                                      purpose="deposit")
            deposit.tray_id, deposit.code = tray_id, dossier["code"]
        return tray_id

    def _promise(self, deposit: Deposit) -> dict:
        """What the dossier.created event tells the city: the appointment date and who
        handles the dossier (boundary-free: whatever ward the citizen lives in)."""
        out = {"handling_body": self._body(deposit.procedure, "vi"),
               "handling_level": deposit.procedure.handling_body.get("level", "ward")}
        if self.appointments is not None:
            received, due = self.appointments.promise(deposit.procedure.processing_days)
            out.update(appointment_date=due.isoformat(), received_on=received.isoformat(),
                       processing_days=deposit.procedure.processing_days)
        return out

    @staticmethod
    def _address_for_city(deposit: Deposit) -> dict:
        """The card's address as read, and its 2025 ward: for the city, not the journal."""
        if deposit.address is None or not deposit.address.as_read:
            return {}
        a = deposit.address.as_json()
        return {"address": a["as_read"], "address_ward_2025": a["ward_2025"],
                "address_ward_code_2025": a["ward_code_2025"],
                "address_candidates_2025": a["candidates_2025"]}

    def _keep_promise(self, code: str, promise: dict) -> None:
        if self.appointments is not None and promise.get("appointment_date"):
            from datetime import date
            self.appointments.record(
                code, date.fromisoformat(promise["appointment_date"]), basis="received",
                actor=ACTOR, received_on=date.fromisoformat(promise["received_on"]),
                working_days=promise["processing_days"])

    def _body(self, procedure: Procedure, lang: str) -> str:
        from kiosk.catalog import handling_body
        return handling_body(procedure.handling_body, lang, self.offices)

    def appointment(self, code: str):
        """The date in force for a dossier (the newest one set), or None."""
        return self.appointments.current_date(code) if self.appointments else None

    def _check_power(self) -> None:
        if self.power is not None and not self.power.accepting:
            raise CitizenError("power.closed", "the kiosk runs on battery and shuts down")

    def open_tray(self, deposit: Deposit) -> bool:
        """Blocking (lock board): open the reserved tray; True when the door opened."""
        tray_id = deposit.tray_id or self.reserve_tray(deposit)
        with self._lock:
            self._waiting[tray_id] = deposit
            deposit.closed_empty = False
        opened = self.doors.open(tray_id, actor=ACTOR, reason="deposit", txn=deposit.txn)
        if not opened:
            with self._lock:
                self._waiting.pop(tray_id, None)
        return bool(opened)

    def door(self, tray_id: str) -> DoorState:
        return self.doors.door(tray_id)

    def add_door_listener(self, callback) -> None:
        """``callback(tray_id, DoorState, occupied)`` from a device thread."""
        self._door_listeners.append(callback)

    def add_completed_listener(self, callback) -> None:
        """``callback(deposit)`` once a deposit is recorded (from a device thread)."""
        self._completed_listeners.append(callback)

    def _on_door(self, tray_id: str, state: DoorState, occupied: bool | None) -> None:
        if state in (DoorState.CLOSED, DoorState.LOCKED):
            with self._lock:
                deposit = self._waiting.get(tray_id)
            if deposit is not None:
                try:
                    self.finish_deposit(deposit, occupied)
                except Exception:
                    log.exception("recording the deposit in tray %s failed", tray_id)
            with self._lock:
                pending = self._pickups.get(tray_id)
            if pending is not None and pending["left"]:
                try:
                    self._settle_left_pickup(tray_id, occupied)
                except Exception:
                    log.exception("settling the left pickup in tray %s failed", tray_id)
        for cb in list(self._door_listeners):
            try:
                cb(tray_id, state, occupied)
            except Exception:
                log.exception("door listener failed")

    def finish_deposit(self, deposit: Deposit, occupied: bool | None) -> bool:
        """The door is shut: record the deposit, unless the item sensor says empty."""
        with self._lock:
            if deposit.finished or self._waiting.get(deposit.tray_id) is not deposit:
                return deposit.finished
            if deposit.cancelling and occupied is not True:
                # backed out and took the papers back: free the tray, end the draft
                self._waiting.pop(deposit.tray_id, None)
                with self.ledger.transaction():
                    self.ledger.move_tray(deposit.tray_id, T.EMPTY, actor=ACTOR,
                                          reason="door shut after the citizen backed out",
                                          txn=deposit.txn)
                    self._end_draft(deposit, "citizen backed out", release_tray=False)
                return False
            if occupied is False:
                deposit.closed_empty = True
                self._tray_back_to_reserved(deposit)
                self._waiting.pop(deposit.tray_id, None)
                return False
            with self.ledger.transaction():
                tray = self.ledger.tray(deposit.tray_id)
                if tray["state"] != T.OCCUPIED_DEPOSIT.value:
                    self.ledger.move_tray(deposit.tray_id, T.OCCUPIED_DEPOSIT, actor=ACTOR,
                                          reason="door closed with the dossier inside",
                                          txn=deposit.txn, dossier_code=deposit.code,
                                          purpose="deposit")
                self.ledger.move_dossier(deposit.code, D.DEPOSITED, actor=ACTOR,
                                         reason="door closed", tray_id=deposit.tray_id,
                                         data={"payment": deposit.payment_state,
                                               "pages": len(deposit.pages)},
                                         fields={"payment": deposit.payment_state})
            deposit.finished = True
            self._waiting.pop(deposit.tray_id, None)
        for cb in list(self._completed_listeners):
            try:
                cb(deposit)
            except Exception:
                log.exception("completed listener failed")
        return True

    def _tray_back_to_reserved(self, deposit: Deposit) -> None:
        tray = self.ledger.tray(deposit.tray_id)
        if tray["state"] in (T.OPEN.value, T.EMPTY.value):
            with self.ledger.transaction():
                if tray["state"] == T.OPEN.value:
                    self.ledger.move_tray(deposit.tray_id, T.EMPTY, actor=ACTOR,
                                          reason="door closed, nothing inside",
                                          txn=deposit.txn)
                self.ledger.move_tray(deposit.tray_id, T.RESERVED, actor=ACTOR,
                                      reason="deposit", txn=deposit.txn,
                                      dossier_code=deposit.code, purpose="deposit")

    def cancel(self, deposit: Deposit | None, reason: str = "cancelled") -> None:
        """Back out (button or idle): release the tray, cancel the draft, wipe the data.

        With the door still open the draft stays until the door shuts: papers left in
        the tray are then recorded as a deposit (paper is never lost), an empty tray is
        released and the draft cancelled."""
        if deposit is None:
            return
        with self._lock:
            if deposit.otp_challenge:
                self.otp.forget(deposit.otp_challenge)
            if not deposit.finished and deposit.code and not deposit.cancelling:
                tray = self.ledger.tray(deposit.tray_id) if deposit.tray_id else None
                if tray and tray["state"] in (T.OPEN.value, T.UNLOCKING.value):
                    deposit.cancelling = True
                    self._waiting[deposit.tray_id] = deposit
                    self.ledger.event("deposit.cancel_requested", actor=ACTOR,
                                      subject=deposit.code, reason=reason, to_city=False,
                                      data={"tray": deposit.tray_id})
                else:
                    self._waiting.pop(deposit.tray_id or "", None)
                    self._end_draft(deposit, reason, release_tray=bool(
                        tray and tray["state"] == T.RESERVED.value))
            deposit.wipe()

    def _end_draft(self, deposit: Deposit, reason: str, *, release_tray: bool) -> None:
        with self.ledger.transaction():
            if release_tray:
                self.ledger.move_tray(deposit.tray_id, T.EMPTY, actor=ACTOR, reason=reason,
                                      txn=deposit.txn, dossier_code=None, purpose=None)
            d = self.ledger.dossier(deposit.code)
            if d and d["state"] == D.DRAFT.value:
                self.ledger.move_dossier(deposit.code, D.CANCELLED, actor=ACTOR,
                                         reason=reason, tray_id=None)

    # -- receipt --------------------------------------------------------------------------
    def receipt(self, deposit: Deposit) -> dict:
        p = deposit.procedure
        return {"kind": "deposit", "lang": deposit.lang, "code": deposit.code,
                "procedure": p.name(deposit.lang), "procedure_vi": p.name("vi"),
                "tray": deposit.tray_id, "fee": p.fee, "payment": deposit.payment_state,
                "phone_masked": mask_phone(deposit.phone) if deposit.phone else "",
                "id_masked": mask_id(deposit.id_number) if deposit.id_number else "",
                "when": self.clock.now().strftime("%d/%m/%Y %H:%M"),
                "kiosk": self.kiosk_id, "office": self.office, "hotline": self.hotline,
                "online": deposit.online, "pages": len(deposit.pages),
                "appointment_date": self.appointment(deposit.code) if deposit.code else None,
                "handling_body": self._body(p, deposit.lang),
                "handling_body_vi": self._body(p, "vi"),
                "office_lang": self.offices.get(deposit.lang) or self.office}

    def printer_ok(self) -> bool:
        if self.receipts is None:
            return False
        try:
            return self.receipts.state() in (PrinterState.OK, PrinterState.PAPER_NEAR_END)
        except Exception:
            return False

    def _print(self, receipt: dict, txn: str) -> None:
        if not self.printer_ok():
            raise CitizenError("printer.unavailable", "the printer cannot print now")
        try:
            self.receipts.print_receipt(receipt, txn=txn)
        except Exception as exc:
            raise CitizenError("printer.unavailable", str(exc)) from None

    def send_receipts(self, deposit: Deposit) -> dict:
        """Blocking: print the receipt and send the SMS e-receipt; says which worked."""
        receipt = self.receipt(deposit)
        printed = sms = False
        try:
            self._print(receipt, deposit.txn)
            printed = True
        except CitizenError as exc:
            log.info("receipt for %s not printed: %s", deposit.code, exc)
        if self.sms is not None and deposit.phone:
            text = (f"Ho so {deposit.code} da duoc tiep nhan luc {receipt['when']}"
                    f" ({deposit.procedure.code}). Tra cuu: may ho so hoac {self.hotline}.")
            try:
                self.sms.send(deposit.phone, text, key=f"receipt-{deposit.code}")
                sms = True
            except Exception as exc:
                log.info("SMS receipt for %s not sent: %s", deposit.code, exc)
        self.ledger.event("receipt.issued", actor=ACTOR, subject=deposit.code,
                          data={"printed": printed, "sms": sms}, to_city=False)
        return {"printed": printed, "sms": sms, "code": deposit.code}

    # -- online submission --------------------------------------------------------------
    def submit_online(self, deposit: Deposit) -> str:
        """Blocking: send the scanned pages to the city instead of leaving paper."""
        if not deposit.procedure.online_allowed:
            raise CitizenError("online.not_allowed")
        if not deposit.pages:
            raise CitizenError("scanner.no_paper", "scan the papers first")
        pdf = self.pages_pdf(deposit.pages)
        promise = self._promise(deposit)
        with self.ledger.transaction():
            dossier = self.ledger.create_dossier(
                procedure_code=deposit.procedure.code,
                procedure_name=deposit.procedure.name("vi"), state=D.DRAFT, actor=ACTOR,
                phone=deposit.phone, id_number=deposit.id_number,
                tray_size=deposit.procedure.tray_size, fee=deposit.procedure.fee,
                channel="kiosk-online", citizen_name=deposit.name or None,
                data={"txn": deposit.txn, "pages": len(deposit.pages), **promise},
                fields={"payment": deposit.payment_state},
                city_extra={**promise, **self._address_for_city(deposit)})
            self._keep_promise(dossier["code"], promise)
            self.ledger.move_dossier(dossier["code"], D.SUBMITTED_ONLINE, actor=ACTOR,
                                     reason="scanned and submitted at the machine",
                                     data={"pdf_bytes": len(pdf),
                                           "payment": deposit.payment_state})
        deposit.code, deposit.online, deposit.finished = dossier["code"], True, True
        if self.uploads is not None:
            try:
                self.uploads.upload(deposit.code, pdf, key=f"upload-{deposit.code}")
            except Exception as exc:   # the upload queue retries; the citizen is done
                log.info("upload of %s queued after error: %s", deposit.code, exc)
        return deposit.code

    # -- pickup ---------------------------------------------------------------------------
    def results_for(self, phone: str) -> list[dict]:
        """Results waiting in trays for a verified phone (loaded or just expired)."""
        self._check_power()
        found = []
        for state in (D.RESULT_LOADED, D.EXPIRED):
            for d in self.ledger.dossiers(state=state, phone=phone):
                if d.get("tray_id"):
                    found.append(d)
        return found

    def check_id_for(self, dossier: dict, id_text: str) -> None:
        number = parse_id_text(id_text)["id_number"]
        if not dossier.get("id_hmac") or dossier["id_hmac"] != self.pii.id_hmac(number):
            raise CitizenError("id.mismatch", "this ID number is not the one on the dossier")

    def open_result(self, dossier: dict, txn: str) -> bool:
        """Blocking (lock board): open the tray holding one result."""
        if dossier.get("needs_id_check") and not dossier.get("_id_checked"):
            raise CitizenError("id.needed")
        opened = bool(self.doors.open(dossier["tray_id"], actor=ACTOR, reason="pickup",
                                      txn=txn))
        if opened:
            with self._lock:
                self._pickups[dossier["tray_id"]] = {"code": dossier["code"], "txn": txn,
                                                     "left": False}
        return opened

    def leave_pickup(self, dossier: dict, txn: str) -> None:
        """The citizen went away (Home, idle) from an opened result tray without Finish.

        Door shut: the item sensor decides (empty → picked up; papers inside or no
        sensor → the result waits in the tray again). Door still open: decided the same
        way when it shuts."""
        tray_id = dossier["tray_id"]
        with self._lock:
            pending = self._pickups.get(tray_id)
            if pending is None or pending["code"] != dossier["code"]:
                return
            pending["left"] = True
        door = self.doors.door(tray_id)
        if door in (DoorState.CLOSED, DoorState.LOCKED):
            reading = getattr(self.doors, "reading", lambda _t: None)(tray_id)
            self._settle_left_pickup(tray_id, getattr(reading, "occupied", None))

    def _settle_left_pickup(self, tray_id: str, occupied: bool | None) -> None:
        with self._lock:
            pending = self._pickups.pop(tray_id, None)
        if pending is None:
            return
        if occupied is False:
            self.finish_pickup({"tray_id": tray_id, "code": pending["code"]}, pending["txn"])
            return
        with self.ledger.transaction():
            if self.ledger.tray(tray_id)["state"] == T.OPEN.value:
                self.ledger.move_tray(tray_id, T.OCCUPIED_RESULT, actor=ACTOR,
                                      reason="citizen left without Finish; the result "
                                             "waits in the tray", txn=pending["txn"])

    def finish_pickup(self, dossier: dict, txn: str) -> None:
        """The citizen took the result and closed the door (Finish)."""
        tray_id = dossier["tray_id"]
        with self._lock:
            self._pickups.pop(tray_id, None)
        with self.ledger.transaction():
            tray = self.ledger.tray(tray_id)
            if tray["state"] in (T.OPEN.value,):
                self.ledger.move_tray(tray_id, T.EMPTY, actor=ACTOR, reason="result taken",
                                      txn=txn, dossier_code=None, purpose=None)
            current = self.ledger.dossier(dossier["code"])
            if current["state"] != D.PICKED_UP.value:
                self.ledger.move_dossier(dossier["code"], D.PICKED_UP, actor=ACTOR,
                                         reason="picked up", tray_id=None)

    # -- status and rating ----------------------------------------------------------------
    @staticmethod
    def is_dossier_code(text: str) -> bool:
        return is_dossier_code(text)

    def status(self, code: str) -> dict:
        code = (code or "").strip().upper()
        d = self.ledger.dossier(code) if is_dossier_code(code) else None
        if d is None or d["state"] in (D.DRAFT.value, D.CANCELLED.value):
            raise CitizenError("status.not_found", f"no dossier {code!r}")
        return {"code": d["code"], "state": d["state"],
                "procedure": d.get("procedure_name") or d.get("procedure_code"),
                "updated_at": d.get("updated_at"), "tray": d.get("tray_id"),
                "appointment_date": self.appointment(d["code"])}

    def statuses_for(self, phone: str) -> list[dict]:
        out = []
        for d in self.ledger.dossiers(phone=phone):
            if d["state"] not in (D.DRAFT.value, D.CANCELLED.value):
                out.append({"code": d["code"], "state": d["state"],
                            "procedure": d.get("procedure_name"),
                            "updated_at": d.get("updated_at"), "tray": d.get("tray_id"),
                            "appointment_date": self.appointment(d["code"])})
        return out

    def rate(self, score: int, subject: str | None = None) -> None:
        if not 1 <= int(score) <= 5:
            raise CitizenError("rating.invalid", "a rating is 1 to 5 stars")
        subject = subject or "kiosk"
        code = subject if self.ledger.dossier(subject) else None
        with self.ledger.transaction():
            self.ledger.store.execute(
                "INSERT INTO ratings(at, dossier_code, score, flow) VALUES (?, ?, ?, ?)",
                (self.clock.now().isoformat(timespec="seconds"), code, int(score),
                 "dossier" if code else subject))
            self.ledger.event("rating.given", actor=ACTOR, subject=subject,
                              data={"score": int(score)}, dossier_code=code)
