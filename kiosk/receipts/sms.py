"""The receipt as SMS texts of at most 70 UCS2 characters each."""
from __future__ import annotations

from hardware.sms_text import SMS_LIMIT, split_sms, ucs2_len
from kiosk.receipts.model import DEADLINE_LABELS, Receipt, fmt_day

__all__ = ["SMS_LIMIT", "sms_receipt", "split_sms", "ucs2_len"]


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
        out.append(_fit(f"{r.dossier_code}: {vi.lower()} {fmt_day(r.deadline)}. "
                        f"{r.procedure}"))
    return out
