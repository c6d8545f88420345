"""The receipt as SMS texts of at most 70 UCS2 characters each."""
from __future__ import annotations

from kiosk.receipts.model import DEADLINE_LABELS, Receipt, fmt_day

SMS_LIMIT = 70


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
        out.append(_fit(f"{r.dossier_code}: {vi.lower()} {fmt_day(r.deadline)}. "
                        f"{r.procedure}"))
    return out
