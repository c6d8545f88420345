"""What a code reader saw: the QR of a chip ID card (CCCD) or a dossier code.

The CCCD QR holds seven ``|``-separated fields (see docs/devices.md):
``ID(12)|old ID(9 or empty)|name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY``; some cards add more
fields after the seventh, which are ignored. Anything else is not an ID card, and the
citizen is offered manual entry, so the parser raises only ``NotAnIdCard``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_ID = re.compile(r"[0-9]{12}")
_OLD_ID = re.compile(r"[0-9]{9}")
_DATE = re.compile(r"[0-9]{8}")
_GENDERS = {"nam": "Nam", "nữ": "Nữ", "nu": "Nữ"}
# Dossier codes the kiosk issues: HS + YYMMDD + '-' + 5 characters without 0/O/1/I.
_DOSSIER_CODE = re.compile(r"HS[0-9]{6}-[2-9A-HJ-NP-Z]{5}")
MAX_QR_TEXT = 1000   # a CCCD QR holds about 200 characters; anything far longer is not one
MAX_NAME = 70        # the longest Vietnamese full names run to about 40 characters
MAX_ADDRESS = 250
# UTF-8 read in a single-byte code page (a reader set to Latin-1 or Windows-1252 makes
# "Nguyá»…n" of "Nguyễn"): a lead byte (0xC2-0xF4) shows as one of Â..ô, and the
# continuation byte after it (0x80-0xBF) as a sign no Vietnamese word holds there.
_CONTINUATION = "".join(sorted({bytes([b]).decode("cp1252", "ignore") or chr(b)
                                for b in range(0x80, 0xC0)} | {chr(b) for b in range(0x80, 0xC0)}))
_MOJIBAKE = re.compile("[\u00c2-\u00f4][" + re.escape(_CONTINUATION) + "]")


class NotAnIdCard(ValueError):
    """The text is not a CCCD QR; ``reason`` says which part failed, without the data."""

    def __init__(self, reason: str):
        super().__init__(f"not a chip ID card QR: {reason}; offer manual entry of the ID number")
        self.reason = reason


class ScanAgain(NotAnIdCard):
    """A card QR that arrived damaged (wrong encoding, garbled or overlong name): the
    card itself is fine, so the citizen is asked to scan it again, not to type."""

    def __init__(self, reason: str):
        ValueError.__init__(self, f"chip ID card QR read wrongly: {reason}; please scan again")
        self.reason = reason


def misread_text(text: str) -> str | None:
    """Why ``text`` looks garbled by a wrong decoding, or None when it reads cleanly.

    A replacement character (U+FFFD) or a '?' stands for bytes the reader could not
    decode; mojibake is UTF-8 read in a single-byte code page (see ``_MOJIBAKE``)."""
    if "\ufffd" in text or "?" in text:
        return "it holds characters the reader could not decode"
    if _MOJIBAKE.search(text):
        return "it is UTF-8 text read in another code page (Latin-1 or cp1252)"
    return None


@dataclass(frozen=True)
class Cccd:
    id: str
    old_id: str | None
    name: str
    dob: date
    gender: str
    address: str
    issued: date

    def as_json(self) -> dict:
        """Plain JSON types, dates in ISO form (the CLI prints this)."""
        return {"id": self.id, "old_id": self.old_id, "name": self.name,
                "dob": self.dob.isoformat(), "gender": self.gender,
                "address": self.address, "issued": self.issued.isoformat()}

    def __repr__(self) -> str:     # never put the ID number or name into a log line
        return f"Cccd(id=********{self.id[-4:]}, dob={self.dob.year}, gender={self.gender})"

    __str__ = __repr__


def _date(text: str, what: str) -> date:
    if not _DATE.fullmatch(text):
        raise NotAnIdCard(f"{what} is not 8 digits DDMMYYYY")
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise NotAnIdCard(f"{what} is not a real calendar date") from None


def parse_cccd(text: str, *, today: date | None = None) -> Cccd:
    """Parse the QR text of a CCCD; raises ``NotAnIdCard(reason)`` for anything else."""
    if not isinstance(text, str):
        raise NotAnIdCard("the code is not text")
    if len(text) > MAX_QR_TEXT:
        raise NotAnIdCard(f"the code is {len(text)} characters long, far more than a card holds")
    text = unicodedata.normalize("NFC", text.strip().strip("\ufeff").rstrip("\r\n"))
    fields = text.split("|")
    if len(fields) < 7:
        raise NotAnIdCard(f"it has {len(fields)} field(s) separated by '|', a card has 7")
    id_no, old_id, name, dob, gender, address, issued = (f.strip() for f in fields[:7])
    if not _ID.fullmatch(id_no):
        raise NotAnIdCard("the ID number is not 12 digits")
    if old_id and not _OLD_ID.fullmatch(old_id):
        raise NotAnIdCard("the old ID number is neither empty nor 9 digits")
    for what, value, longest in (("name", name, MAX_NAME), ("address", address, MAX_ADDRESS)):
        garbled = misread_text(value)          # before spaces are collapsed: U+0085 is one
        if garbled:
            raise ScanAgain(f"the {what} is garbled ({garbled})")
        if len(" ".join(value.split())) > longest:
            raise ScanAgain(f"the {what} is longer than a card holds ({longest} characters)")
    name = " ".join(name.split())
    if not name or any(c.isdigit() or unicodedata.category(c)[0] == "C" for c in name):
        raise NotAnIdCard("the name is empty or holds digits or control characters")
    born = _date(dob, "the date of birth")
    issued_on = _date(issued, "the issue date")
    g = _GENDERS.get(gender.casefold())
    if g is None:
        raise NotAnIdCard("the gender is neither 'Nam' nor 'Nữ'")
    address = " ".join(address.split())
    if not address or any(unicodedata.category(c)[0] == "C" for c in address):
        raise NotAnIdCard("the address is empty or holds control characters")
    today = today or date.today()
    if born > today or born.year < 1900:
        raise NotAnIdCard("the date of birth is in the future or before 1900")
    if issued_on < born or issued_on > today:
        raise NotAnIdCard("the issue date is before the birth date or in the future")
    return Cccd(id_no, old_id or None, name, born, g, address, issued_on)


def is_dossier_code(text: str) -> bool:
    """True for a dossier code as printed on receipts and result cover sheets."""
    return isinstance(text, str) and bool(_DOSSIER_CODE.fullmatch(text.strip().upper()))


def normalize_dossier_code(text: str) -> str:
    """Upper-case and strip a scanned or typed code; raises ValueError if it is not one."""
    code = (text or "").strip().upper()
    if not _DOSSIER_CODE.fullmatch(code):
        raise ValueError(f"{code[:20]!r} is not a dossier code (like HS260302-7KQ4M)")
    return code
