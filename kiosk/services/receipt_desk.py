"""Receipts on paper: the citizen service's receipt dict → rendered image → printer.

Kept apart from both: the citizen service decides what a receipt says, ``kiosk.receipts``
draws it, the printer driver sends it. One lock per printer (``EscposPrinter`` holds
it), and each print carries the transaction id so a receipt is never handed to the
wrong person.
"""
from __future__ import annotations

import logging
from datetime import date, datetime

from hardware.ports import DeviceHealth, DeviceStatus, PrinterState
from kiosk.receipts import Receipt, render_receipt, render_text_sheet

log = logging.getLogger(__name__)

NEXT_STEPS = {
    "deposit": ("Cán bộ sẽ nhận hồ sơ ở lần thu kế tiếp. Khi có kết quả, Ông/Bà sẽ nhận SMS "
                "và đến máy này để lấy.",
                "Staff collect it at the next round. You get an SMS when the result is "
                "ready to pick up here."),
    "pickup": ("Cảm ơn Ông/Bà đã sử dụng dịch vụ.", "Thank you for using the service."),
    "result": ("Mang điện thoại đến máy, nhập số điện thoại và mã SMS để nhận.",
               "Bring your phone: enter your number and the SMS code to pick up."),
}


def _promise_fields(data: dict) -> dict:
    """The ward centre in the citizen's language, the appointment date and who handles
    the dossier, when the citizen service gave them."""
    due = data.get("appointment_date")
    if isinstance(due, str):
        due = date.fromisoformat(due)
    return {"lang": data.get("lang") or "vi", "office_lang": data.get("office_lang") or "",
            "appointment": due, "handling_body": data.get("handling_body_vi") or "",
            "handling_body_lang": data.get("handling_body") or ""}


class ReceiptDesk:
    def __init__(self, printer, clock, *, kiosk_name: str, office: str = "",
                 hotline: str = "1022", rating_url: str | None = None):
        self.printer, self.clock = printer, clock
        self.kiosk_name, self.office, self.hotline = kiosk_name, office, hotline
        self.rating_url = rating_url

    def state(self) -> PrinterState:
        if self.printer is None:
            return PrinterState.OFFLINE
        return self.printer.state()

    def health(self) -> DeviceHealth:
        if self.printer is None:
            return DeviceHealth("printer", DeviceStatus.OFFLINE, "no printer configured or "
                                "it could not be opened", "check [printer] in the profile "
                                "and the cable")
        return self.printer.health()

    def to_receipt(self, data: dict, *, txn: str) -> Receipt:
        kind = data.get("kind", "deposit")
        vi, en = NEXT_STEPS.get(kind, ("", ""))
        when = data.get("at")
        at = when if isinstance(when, datetime) else self.clock.now()
        code = data.get("code") or data.get("dossier_code") or ""
        rating = self.rating_url.format(code=code) if self.rating_url else None
        return Receipt(kind=kind if kind in NEXT_STEPS or kind == "test" else "deposit",
                       dossier_code=code, procedure=data.get("procedure_vi")
                       or data.get("procedure") or "", at=at, kiosk_name=self.kiosk_name,
                       office=self.office, tray=data.get("tray"), next_steps=vi,
                       next_steps_en=en, deadline=data.get("deadline"),
                       hotline=self.hotline, rating_url=rating, txn=txn,
                       **_promise_fields(data))

    def print_receipt(self, data: dict, *, txn: str) -> None:
        if self.printer is None:
            raise RuntimeError("no printer")
        if data.get("kind") == "privacy_notice":
            rendered = render_text_sheet(data.get("text", ""))
        else:
            rendered = render_receipt(self.to_receipt(data, txn=txn))
        self.printer.print_image(rendered.image, txn, qr_codes=rendered.qr_codes)

