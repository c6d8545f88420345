"""The transfer memo of a fee payment (VietQR field 62/08), built so that the dossier
code always survives.

Bank apps keep only 25 ASCII characters of the memo, and the city's reconciliation
matches a transfer to its dossier by the code in the memo. So the code comes first, in
full (14 characters, ``HS260302-7KQ4M``); the procedure code follows only if it fits
whole, and nothing is ever cut in the middle of a word. Longer kiosk ids or
transaction ids stay in the payment's own record, not in the memo.
"""
from __future__ import annotations

import re

MEMO_LIMIT = 25          # what bank apps show and send on of field 62/08
_WORD = re.compile(r"[A-Za-z0-9.\-]+")


def payment_memo(dossier_code: str, *extra: str, limit: int = MEMO_LIMIT) -> str:
    """``"HS260302-7KQ4M KS-01"``: the code, then each extra word that fits whole."""
    code = dossier_code.strip().upper()
    if not _WORD.fullmatch(code) or len(code) > limit:
        raise ValueError(f"{code!r} cannot lead a payment memo of {limit} ASCII characters")
    memo = code
    for word in extra:
        for part in _WORD.findall(word or ""):
            if len(memo) + 1 + len(part) <= limit:
                memo += " " + part
    return memo
