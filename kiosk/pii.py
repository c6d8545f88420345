"""Personal data: phone and ID numbers are kept as a keyed HMAC plus a masked form.

The key lives in a file outside the database (``secrets.hmac_key_file``), so a stolen
database alone does not give the numbers back, not even by trying all 10^9 phones.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

# Vietnamese mobile prefixes after the 2018 renumbering (Viettel, Vinaphone, Mobifone,
# Vietnamobile, Gmobile, Itelecom, Reddi, Wintel).
MOBILE_PREFIXES = (
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
    "081", "082", "083", "084", "085", "088", "091", "094",
    "070", "076", "077", "078", "079", "089", "090", "093",
    "052", "056", "058", "092",
    "059", "099", "087", "055",
)


class InvalidPhone(ValueError):
    """Not a Vietnamese mobile number; the message says what to type instead."""


_SEPARATORS = re.compile(r"[\s.\-()]")


def _fold_digits(text: str) -> str:
    """Unicode decimal digits (category Nd: fullwidth '２', Thai '๒', Arabic-Indic ...)
    become ASCII, so the HMAC of a number does not depend on the keyboard it was typed
    on. Other digit-like characters ('²', '①', '½') are no digits one can dial."""
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
        elif unicodedata.category(c) == "Nd":
            out.append(str(unicodedata.decimal(c)))
        elif c.isnumeric():
            raise InvalidPhone(f"{c!r} ({unicodedata.name(c, 'a sign')}) is not a digit; "
                               "type the number with the digits 0-9, e.g. 0912 345 678")
        else:
            out.append(c)
    return "".join(out)


def normalize_phone(text: str) -> str:
    """A Vietnamese mobile number as ten ASCII digits (0xxxxxxxxx); the message of
    ``InvalidPhone`` says what to type instead. Differences from libphonenumber:
    docs/phone-numbers.md."""
    digits = _SEPARATORS.sub("", _fold_digits(text or ""))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidPhone("a phone number has only digits, e.g. 0912 345 678")
    if len(digits) != 10:
        raise InvalidPhone(f"a mobile number has 10 digits; this one has {len(digits)}")
    if not digits.startswith(MOBILE_PREFIXES):
        raise InvalidPhone(f"{digits[:3]} is not a Vietnamese mobile prefix; "
                           "enter a mobile number such as 09xx, 03xx, 07xx, 08xx")
    return digits


def mask_phone(phone: str) -> str:
    return "*" * (len(phone) - 3) + phone[-3:]


def mask_id(id_number: str) -> str:
    return "*" * (len(id_number) - 4) + id_number[-4:] if len(id_number) > 4 else "****"


def mask_name(name: str) -> str:
    """'Trần Thị Mai' → 'T*** T** Mai': enough for a person to recognise their own."""
    parts = name.split()
    if not parts:
        return ""
    return " ".join([p[0] + "*" * (len(p) - 1) for p in parts[:-1]] + [parts[-1]])


class Pii:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the HMAC key is too short (need at least 16 bytes)")
        self._key = key

    def _mac(self, context: str, value: str) -> str:
        return hmac.new(self._key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def phone_hmac(self, phone: str) -> str:
        return self._mac("phone", normalize_phone(phone))

    def id_hmac(self, id_number: str) -> str:
        return self._mac("id", id_number.strip())

    def code_mac(self, context: str, code: str) -> str:
        return self._mac("code:" + context, code)

    @staticmethod
    def normalize_phone(text: str) -> str:
        return normalize_phone(text)

    @staticmethod
    def mask_phone(phone: str) -> str:
        return mask_phone(phone)

    @staticmethod
    def mask_id(id_number: str) -> str:
        return mask_id(id_number)
