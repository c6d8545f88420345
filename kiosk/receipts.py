"""The receipt a citizen takes home, as data, as a 1-bit printer image, and as an SMS.

Vietnamese diacritics are not in most printers' code pages, so the receipt is drawn with
a font that has them (DejaVu Sans or Noto Sans, found with fc-match) and sent as raster.
Every line is checked glyph by glyph before printing: a font that lacks a glyph draws an
empty box, and a receipt with boxes instead of a name is worse than none.

Layout is left-aligned on purpose: the printer can only trim a raster band on the right,
so short left-aligned lines cost the fewest bytes on a 38400-baud line. QR codes are not
drawn here; ``QrSlot`` reserves their place and the driver asks the printer to draw them
(GS ( k), which costs a few dozen bytes instead of a few thousand.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH_DOTS = 576
MARGIN = 0
SMS_LIMIT = 70
VIETNAMESE_SAMPLE = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳ"
                     "ẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ")
FONT_CANDIDATES = ("DejaVu Sans", "Noto Sans")
KNOWN_FONT_FILES = {
    ("DejaVu Sans", False): "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ("DejaVu Sans", True): "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ("Noto Sans", False): "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    ("Noto Sans", True): "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
}


class FontMissing(RuntimeError):
    """No usable font with Vietnamese glyphs; the message says which package to install."""


class MissingGlyphs(FontMissing):
    def __init__(self, font: str, chars: str):
        super().__init__(f"font {font} has no glyph for {chars!r}; the receipt would show "
                         "empty boxes. Install fonts-dejavu-core or fonts-noto-core")
        self.chars = chars


# ---- fonts ---------------------------------------------------------------------------
def _notdef_signature(font: ImageFont.FreeTypeFont) -> tuple:
    mask = font.getmask("\U0010FFFD")          # a private-use code point no font maps
    return mask.size, bytes(mask)


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> str:
    """The characters of ``text`` this font would draw as the empty box (or not at all)."""
    notdef = _notdef_signature(font)
    missing = []
    for ch in dict.fromkeys(unicodedata.normalize("NFC", text)):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs"):
            continue
        mask = font.getmask(ch)
        sig = (mask.size, bytes(mask))
        if sig == notdef or not any(sig[1]):
            missing.append(ch)
    return "".join(missing)


def _fc_match(family: str, bold: bool) -> str | None:
    if not shutil.which("fc-match"):
        return None
    pattern = f"{family}:style={'Bold' if bold else 'Book'}" if family == "DejaVu Sans" else \
        f"{family}:weight={'bold' if bold else 'regular'}"
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


@functools.lru_cache(maxsize=8)
def find_font_file(bold: bool = False) -> str:
    """Path of a font with every Vietnamese letter; raises ``FontMissing`` if none is found."""
    tried = []
    for family in FONT_CANDIDATES:
        for path in (_fc_match(family, bold), KNOWN_FONT_FILES.get((family, bold))):
            if not path or path in tried or not Path(path).is_file():
                continue
            tried.append(path)
            try:
                font = ImageFont.truetype(path, 20)
            except OSError:
                continue
            if not missing_glyphs(font, VIETNAMESE_SAMPLE):
                return path
    raise FontMissing("no font with Vietnamese diacritics found (tried "
                      f"{', '.join(tried) or 'DejaVu Sans and Noto Sans'}); install "
                      "fonts-dejavu-core or fonts-noto-core")


@functools.lru_cache(maxsize=32)
def load_font(size: int, bold: bool = False, path: str | None = None) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path or find_font_file(bold), size)


# ---- the receipt as data -----------------------------------------------------------
@dataclass(frozen=True)
class Receipt:
    kind: str                      # "deposit", "result", "pickup" or "test"
    dossier_code: str
    procedure: str
    at: datetime
    kiosk_name: str = "Máy nhận và trả hồ sơ 24/7"
    office: str = ""
    tray: str | None = None
    next_steps: str = ""           # Vietnamese, a sentence or two
    next_steps_en: str = ""
    deadline: date | datetime | None = None
    hotline: str = "1022"
    rating_url: str | None = None
    txn: str = ""
    lang: str = "vi"
    office_lang: str = ""          # the ward centre in the citizen's language
    appointment: date | None = None
    handling_body: str = ""        # who handles it (vi); may be another body (boundary-free)
    handling_body_lang: str = ""


TITLES = {
    "deposit": ("BIÊN NHẬN HỒ SƠ", "Dossier receipt"),
    "result": ("THÔNG BÁO CÓ KẾT QUẢ", "Result ready"),
    "pickup": ("BIÊN NHẬN TRẢ KẾT QUẢ", "Result handed over"),
    "test": ("IN THỬ — MÁY IN BIÊN NHẬN", "Printer test"),
}
DEADLINE_LABELS = {
    "deposit": ("Hẹn trả kết quả", "Result due"),
    "result": ("Nhận trước ngày", "Pick up by"),
    "pickup": ("Ngày nhận", "Picked up"),
    "test": ("Hạn", "Due"),
}


@dataclass(frozen=True)
class QrSlot:
    """Room left in the image for a QR that the printer draws (or the driver, if it cannot)."""
    data: str
    top: int
    height: int
    module: int = 6
    ec: str = "M"
    align: str = "center"


@dataclass
class RenderedReceipt:
    image: Image.Image                          # mode "1", WIDTH_DOTS wide
    qr_codes: list[QrSlot] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _fmt_time(t: datetime) -> str:
    return t.strftime("%H:%M %d/%m/%Y")


def _fmt_day(d: date | datetime) -> str:
    return d.strftime("%H:%M %d/%m/%Y") if isinstance(d, datetime) else d.strftime("%d/%m/%Y")


def qr_side(data: str, module: int, ec: str = "M") -> int:
    import segno
    return segno.make_qr(data, error=ec.lower(), boost_error=False).symbol_size(
        scale=module, border=0)[0]


class _Canvas:
    """Draws lines top to bottom; wraps on word boundaries at the paper width."""

    def __init__(self, width: int):
        self.width = width
        self.items: list[tuple] = []     # ("text", y, text, font) | ("rule", y)
        self.y = 0
        self.slots: list[QrSlot] = []
        self.lines: list[str] = []

    def _check(self, font, text):
        missing = missing_glyphs(font, text)
        if missing:
            raise MissingGlyphs(Path(font.path).name if hasattr(font, "path") else "font",
                                missing)

    def text(self, text: str, size: int = 22, bold: bool = False, gap: int = 4,
             font_path: str | None = None) -> None:
        font = load_font(size, bold, font_path)
        text = unicodedata.normalize("NFC", text)
        if font_path is None and missing_glyphs(font, text):     # Chinese: a CJK font
            from kiosk.receipt_fonts import fallback_for
            font = fallback_for(text, size, bold) or font
        self._check(font, text)
        ascent, descent = font.getmetrics()
        for line in self._wrap(text, font):
            self.items.append(("text", self.y, line, font))
            self.lines.append(line)
            self.y += ascent + descent + gap

    def _wrap(self, text: str, font) -> list[str]:
        room = self.width - 2 * MARGIN
        out, cur = [], ""
        for word in text.split():
            trial = f"{cur} {word}" if cur else word
            if font.getlength(trial) <= room:
                cur = trial
                continue
            if cur:
                out.append(cur)
            while font.getlength(word) > room:          # a very long word: hard break
                cut = len(word)
                while cut > 1 and font.getlength(word[:cut]) > room:
                    cut -= 1
                out.append(word[:cut])
                word = word[cut:]
            cur = word
        if cur:
            out.append(cur)
        return out or [""]

    def space(self, dots: int) -> None:
        self.y += dots

    def rule(self) -> None:
        self.items.append(("rule", self.y + 3))
        self.y += 8

    def qr(self, data: str, module: int, ec: str = "M") -> None:
        side = qr_side(data, module, ec)
        height = side + 8 * module                  # 4-module quiet zone above and below
        self.slots.append(QrSlot(data, self.y, height, module, ec))
        self.y += height

    def image(self) -> Image.Image:
        img = Image.new("1", (self.width, max(1, self.y)), 1)
        draw = ImageDraw.Draw(img)
        draw.fontmode = "1"                         # no grey anti-aliasing on a 1-bit head
        for item in self.items:
            if item[0] == "text":
                _, y, text, font = item
                draw.text((MARGIN, y), text, font=font, fill=0)
            else:
                draw.rectangle((MARGIN, item[1], self.width // 2, item[1] + 1), fill=0)
        return img


def render_receipt(r: Receipt, *, width: int = WIDTH_DOTS,
                   font_path: str | None = None) -> RenderedReceipt:
    """Draw the receipt; raises ``FontMissing``/``MissingGlyphs`` rather than print boxes.

    ``font_path`` forces one font for every line (tests use it to prove the glyph check).
    """
    c = _Canvas(width)
    bold_path = font_path
    title_vi, title_en = TITLES.get(r.kind, TITLES["deposit"])
    c.text(r.kiosk_name, 18, True, font_path=bold_path)
    if r.office:
        c.text(r.office, 15, font_path=font_path)
    if r.office_lang and r.office_lang != r.office:
        c.text(r.office_lang, 15, font_path=font_path)
    c.rule()
    c.text(f"{title_vi} / {title_en}", 21, True, font_path=bold_path)
    c.text(f"Thủ tục: {r.procedure}", 19, font_path=font_path)
    c.space(4)
    c.text("Mã hồ sơ / Dossier code:", 16, font_path=font_path)
    c.text(r.dossier_code, 28, True, gap=0, font_path=bold_path)
    c.qr(r.dossier_code, module=8)
    if r.tray:
        c.text(f"Ô tủ / Tray: {r.tray}", 21, True, font_path=bold_path)
    c.text(f"Lúc / Time: {_fmt_time(r.at)}", 18, font_path=font_path)
    if r.appointment is not None:
        from kiosk.appointments import label
        c.text(label("vi", r.appointment), 20, True, font_path=bold_path)
        c.text(label("zh" if r.lang == "zh" else "en", r.appointment), 17,
               font_path=font_path)
    if r.handling_body:
        c.text(f"Cơ quan giải quyết: {r.handling_body}", 16, font_path=font_path)
        if r.handling_body_lang and r.handling_body_lang != r.handling_body:
            word = "办理机关" if r.lang == "zh" else "Handled by"
            c.text(f"{word}: {r.handling_body_lang}", 15, font_path=font_path)
    if r.deadline is not None:
        vi, en = DEADLINE_LABELS.get(r.kind, DEADLINE_LABELS["deposit"])
        c.text(f"{vi} / {en}: {_fmt_day(r.deadline)}", 18, True, font_path=bold_path)
    if r.next_steps:
        c.space(4)
        c.text(r.next_steps, 18, font_path=font_path)
    if r.next_steps_en:
        c.text(r.next_steps_en, 15, font_path=font_path)
    c.space(4)
    c.text(f"Hỗ trợ / Hotline: {r.hotline}", 20, True, font_path=bold_path)
    if r.rating_url:
        c.space(6)
        c.text("Đánh giá dịch vụ / Rate our service:", 15, font_path=font_path)
        c.qr(r.rating_url, module=4, ec="L")
    if r.txn:
        c.text(f"GD {r.txn[:18]}", 13, font_path=font_path)
    return RenderedReceipt(c.image(), c.slots, c.lines)


def render_text_sheet(text: str, *, width: int = WIDTH_DOTS) -> RenderedReceipt:
    """A plain printed sheet (the privacy notice): first line as a title, then paragraphs.

    Same fonts and glyph check as receipts; blank lines give a little space.
    """
    c = _Canvas(width)
    for i, para in enumerate(text.split("\n")):
        if not para.strip():
            c.space(10)
            continue
        c.text(para, 21 if i == 0 else 18, bold=(i == 0))
    return RenderedReceipt(c.image(), c.slots, c.lines)


def next_steps(kind: str, *, at: datetime, next_round: datetime | None = None,
               expiry_days: int = 3) -> tuple[str, str]:
    """The 'what happens next' lines (Vietnamese, English) for a receipt of this kind."""
    if kind == "deposit" and next_round is not None:
        day_vi = "hôm nay" if next_round.date() == at.date() else next_round.strftime("%d/%m")
        day_en = "today" if next_round.date() == at.date() else next_round.strftime("%d/%m")
        return (f"Cán bộ nhận hồ sơ lúc {next_round:%H:%M} {day_vi}. Khi có kết quả, "
                "ông/bà nhận SMS.",
                f"Staff collect it at {next_round:%H:%M} {day_en}; you get an SMS when the "
                "result is ready.")
    if kind == "deposit":
        return ("Cán bộ sẽ nhận hồ sơ ở đợt gần nhất. Khi có kết quả, ông/bà nhận SMS.",
                "Staff collect it at the next round; you get an SMS when the result is ready.")
    if kind == "result":
        return (f"Nhận kết quả tại máy trong {expiry_days} ngày bằng số điện thoại và mã OTP; "
                "quá hạn, hồ sơ được chuyển về bộ phận một cửa.",
                f"Pick it up here within {expiry_days} days with your phone number and the "
                "SMS code; after that it goes back to the office.")
    if kind == "pickup":
        return ("Cảm ơn ông/bà. Xin kiểm tra đủ giấy tờ trước khi rời máy.",
                "Thank you. Please check that all your papers are there before leaving.")
    return ("", "")


def printer_test_receipt(at: datetime, kiosk_name: str = "Máy nhận và trả hồ sơ 24/7",
                 code: str = "HS260302-7KQ4M") -> Receipt:
    """The receipt of ``kiosk hw print-test``: every Vietnamese tone mark and a QR."""
    return Receipt(kind="test", dossier_code=code, at=at, kiosk_name=kiosk_name,
                   procedure="Chứng thực bản sao — thử dấu: ắ ằ ẳ ẵ ặ ế ề ể ễ ệ ố ồ ổ ỗ ộ "
                             "ớ ờ ở ỡ ợ ứ ừ ử ữ ự đ Đ",
                   tray="A05", next_steps="Nếu đọc được dòng này và mã QR, máy in tốt.",
                   next_steps_en="If this line and the QR code are readable, the printer "
                                 "works.")


# ---- SMS e-receipt -----------------------------------------------------------------
def ucs2_len(text: str) -> int:
    """Length in UCS2 code units, what the 70-character SMS limit counts."""
    return len(text.encode("utf-16-be")) // 2


def split_sms(text: str, limit: int = SMS_LIMIT) -> list[str]:
    """``text`` as is if it fits, else parts that end ' (k/n)', split between words."""
    text = " ".join(text.split())
    if ucs2_len(text) <= limit:
        return [text]
    for total in range(2, 100):
        room = limit - len(f" ({total}/{total})")
        parts, cur = [], ""
        for word in text.split(" "):
            while ucs2_len(word) > room:
                head = word
                while ucs2_len(head) > room:
                    head = head[:-1]
                if cur:
                    parts.append(cur)
                    cur = ""
                parts.append(head)
                word = word[len(head):]
            trial = f"{cur} {word}" if cur else word
            if ucs2_len(trial) <= room:
                cur = trial
            else:
                parts.append(cur)
                cur = word
        if cur:
            parts.append(cur)
        if len(parts) <= total:
            n = len(parts)
            return [f"{p} ({i}/{n})" for i, p in enumerate(parts, 1)]
    raise ValueError("text too long for an SMS e-receipt")


def _fit(text: str, limit: int = SMS_LIMIT) -> str:
    text = " ".join(text.split())
    if ucs2_len(text) <= limit:
        return text
    while ucs2_len(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def sms_receipt(r: Receipt) -> list[str]:
    """The e-receipt as SMS texts of at most 70 UCS2 characters each.

    The first message alone is enough (code, tray, time, hotline); the second adds the
    deadline and procedure when there is one.
    """
    when = r.at.strftime("%H:%M %d/%m")
    tray = f", ô {r.tray}" if r.tray else ""
    first = {
        "deposit": f"Đã nhận hồ sơ {r.dossier_code} lúc {when}{tray}. Hỏi đáp: {r.hotline}",
        "result": f"Có kết quả hồ sơ {r.dossier_code}{tray}. Hỏi đáp: {r.hotline}",
        "pickup": f"Đã trả kết quả {r.dossier_code} lúc {when}. Hỏi đáp: {r.hotline}",
    }.get(r.kind, f"Thử SMS {r.dossier_code} lúc {when}. Hỏi đáp: {r.hotline}")
    out = split_sms(first)
    if r.deadline is not None:
        vi, _ = DEADLINE_LABELS.get(r.kind, DEADLINE_LABELS["deposit"])
        out.append(_fit(f"{r.dossier_code}: {vi.lower()} {_fmt_day(r.deadline)}. "
                        f"{r.procedure}"))
    return out


# ---- handing the receipt over -----------------------------------------------------
@dataclass(frozen=True)
class ReceiptOutcome:
    """What happened to one receipt, and what the screen and the technician are told."""
    printed: bool
    sms_parts: int                 # SMS texts handed to the sender
    printer_state: str             # a PrinterState value, or "none" without a printer
    notice_vi: str = ""            # for the citizen's screen; empty when all went well
    notice_en: str = ""
    technician: str = ""           # for diagnostics and a ledger event; empty if nothing


def _masked(phone: str) -> str:
    return "*" * max(0, len(phone) - 3) + phone[-3:]


def deliver_receipt(r: Receipt, *, printer=None, send_sms=None,
                    phone: str | None = None) -> ReceiptOutcome:
    """Print the receipt and send the SMS e-receipt; never lets a device failure through.

    Paper end, an open cover or a silent printer mean SMS receipts only, and the screen
    says so; paper near end prints and warns the technician. ``send_sms(phone, text)`` is
    the city SMS service or the modem; ``printer`` is a ``hardware.ports.Printer``.
    """
    from hardware.ports import DeviceError, PrinterState

    printed, state, technician = False, "none", []
    if printer is not None:
        try:
            rendered = render_receipt(r)
            printer.print_image(rendered.image, r.txn, rendered.qr_codes)
            printed = True
            state = printer.state().value
            if state == PrinterState.PAPER_NEAR_END.value:
                technician.append("receipt printer: the paper is nearly out; change the roll "
                                  "at the next round")
        except FontMissing as exc:
            technician.append(f"receipt not printed: {exc}")
        except DeviceError as exc:
            state = getattr(getattr(exc, "state", None), "value", PrinterState.OFFLINE.value)
            technician.append(f"{exc}; {exc.advice}" if exc.advice else str(exc))
    sent = 0
    if send_sms is not None and phone:
        try:
            for text in sms_receipt(r):
                send_sms(phone, text)
                sent += 1
        except (DeviceError, OSError) as exc:
            technician.append(f"SMS receipt not sent: {exc}")
    vi = en = ""
    if not printed and sent:
        vi = (f"Máy in biên nhận đang tạm ngưng. Biên nhận đã được gửi qua SMS đến số "
              f"{_masked(phone)}.")
        en = f"The receipt printer is out of service. Your receipt was sent by SMS to " \
             f"{_masked(phone)}."
    elif not printed:
        vi = f"Không in được biên nhận. Xin ghi lại mã hồ sơ: {r.dossier_code}."
        en = f"The receipt could not be printed. Please write down your dossier code: " \
             f"{r.dossier_code}."
    elif phone and send_sms is not None and not sent:
        vi = "Chưa gửi được SMS biên nhận. Xin giữ biên nhận giấy."
        en = "The SMS receipt could not be sent. Please keep the paper receipt."
    return ReceiptOutcome(printed, sent, state, vi, en, "; ".join(technician))
