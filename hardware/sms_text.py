"""SMS text arithmetic, the same for every sender: the UCS2 length and the split into
parts of at most 70 characters, each ending ' (k/n)'.

Pure text with no import, so the modem driver (``hardware.modem.codec``) and the kiosk
core (``kiosk.receipts``) share one splitter while the core still imports no driver: it
sits next to ``hardware.ports``, the other pure module the core may use.
"""
from __future__ import annotations

SMS_LIMIT = 70                      # UCS2 characters in one single-part SMS


def ucs2_len(text: str) -> int:
    """Length in UCS2 code units, what the 70-character SMS limit counts."""
    return len(text.encode("utf-16-be")) // 2


def split_sms(text: str, limit: int = SMS_LIMIT) -> list[str]:
    """``text`` if it fits one SMS, else parts ending ' (k/n)', split between words.

    Runs of white space become one space; a word longer than a part is cut. Raises
    ``ValueError`` for a text with nothing in it, or one that needs 1000 parts or more.
    """
    text = " ".join(text.split())
    if not text:
        raise ValueError("an SMS needs some text")
    if ucs2_len(text) <= limit:
        return [text]
    for total in range(2, 1000):
        room = limit - len(f" ({total}/{total})")
        parts: list[str] = []
        cur = ""
        for word in text.split(" "):
            while ucs2_len(word) > room:          # a word longer than a part: hard break
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
            return [f"{p} ({i}/{len(parts)})" for i, p in enumerate(parts, 1)]
    raise ValueError("text too long to send as SMS")
