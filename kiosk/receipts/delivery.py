"""Handing the receipt over: print it and text it, and say plainly what did not work."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.receipts.fonts import FontMissing
from kiosk.receipts.model import Receipt
from kiosk.receipts.paper import render_receipt
from kiosk.receipts.sms import sms_receipt


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
