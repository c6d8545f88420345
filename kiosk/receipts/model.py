"""The receipt as data, and its words: titles, deadline labels, what happens next."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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


def fmt_time(t: datetime) -> str:
    return t.strftime("%H:%M %d/%m/%Y")


def fmt_day(d: date | datetime) -> str:
    return d.strftime("%H:%M %d/%m/%Y") if isinstance(d, datetime) else d.strftime("%d/%m/%Y")


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
