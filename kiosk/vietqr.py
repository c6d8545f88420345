"""VietQR payloads: the EMVCo merchant-presented QR that Vietnamese bank apps read.

Built as TLV fields (two-digit id, two-digit length, value). Merchant account
information (id 38) carries the NAPAS GUID ``A000000727``, the acquiring bank's BIN and
the beneficiary account; the last field is a CRC-16/CCITT-FALSE over everything before
its value, ``6304`` included. The purpose goes into additional data (62, sub-id 08), so a
payment can be matched to a dossier.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"


class VietQrError(ValueError):
    """A payment QR that cannot be built or does not parse; the message says which field."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if not re.fullmatch(r"\d\d", tag):
        raise VietQrError(f"field id {tag!r} must be two digits")
    if len(value) > 99:
        raise VietQrError(f"field {tag} is {len(value)} characters; at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def ascii_purpose(text: str, limit: int = 25) -> str:
    """Bank apps show the purpose as plain ASCII: strip diacritics (đ → d) and trim."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9 .\-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:limit]


@dataclass(frozen=True)
class VietQr:
    bank_bin: str            # 6-digit acquirer id (NAPAS BIN), e.g. 970436
    account: str             # beneficiary account number
    amount: int | None = None   # VND, whole dong; None for a static QR
    purpose: str = ""
    to_card: bool = False

    def payload(self) -> str:
        if not re.fullmatch(r"\d{6}", self.bank_bin):
            raise VietQrError(f"bank BIN {self.bank_bin!r} must be 6 digits (e.g. 970436)")
        if not re.fullmatch(r"[0-9A-Za-z]{1,19}", self.account):
            raise VietQrError(f"account {self.account!r} must be 1-19 letters or digits")
        if self.amount is not None and not (0 < int(self.amount) < 10**13):
            raise VietQrError(f"amount {self.amount!r} must be a positive whole number of dong")
        beneficiary = tlv("00", self.bank_bin) + tlv("01", self.account)
        merchant = (tlv("00", NAPAS_GUID) + tlv("01", beneficiary)
                    + tlv("02", SERVICE_TO_CARD if self.to_card else SERVICE_TO_ACCOUNT))
        parts = [tlv("00", "01"), tlv("01", "12" if self.amount else "11"),
                 tlv("38", merchant), tlv("53", CURRENCY_VND)]
        if self.amount:
            parts.append(tlv("54", str(int(self.amount))))
        parts.append(tlv("58", COUNTRY_VN))
        purpose = ascii_purpose(self.purpose)
        if purpose:
            parts.append(tlv("62", tlv("08", purpose)))
        body = "".join(parts) + "6304"
        return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse_tlv(text: str) -> dict[str, str]:
    """Split one level of TLV fields; raises VietQrError on a truncated field."""
    out: dict[str, str] = {}
    i = 0
    while i < len(text):
        if i + 4 > len(text):
            raise VietQrError(f"truncated field at position {i}")
        tag, length = text[i:i + 2], text[i + 2:i + 4]
        if not length.isdigit():
            raise VietQrError(f"field {tag} at position {i} has no two-digit length")
        n = int(length)
        value = text[i + 4:i + 4 + n]
        if len(value) != n:
            raise VietQrError(f"field {tag} says {n} characters but the payload ends")
        out[tag] = value
        i += 4 + n
    return out


def check_crc(payload: str) -> bool:
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    want = crc16_ccitt_false(payload[:-4].encode("ascii", "replace"))
    return payload[-4:].upper() == f"{want:04X}"


def parse(payload: str) -> dict:
    """Read back a payload (checks the CRC): bank_bin, account, amount, purpose."""
    if not check_crc(payload):
        raise VietQrError("CRC does not match: the QR text is damaged or was edited")
    top = parse_tlv(payload)
    merchant = parse_tlv(top.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQrError("not a VietQR payload: field 38 lacks the NAPAS GUID A000000727")
    beneficiary = parse_tlv(merchant.get("01", ""))
    extra = parse_tlv(top.get("62", "")) if "62" in top else {}
    return {"bank_bin": beneficiary.get("00"), "account": beneficiary.get("01"),
            "amount": int(top["54"]) if "54" in top else None,
            "purpose": extra.get("08", ""), "currency": top.get("53"),
            "country": top.get("58")}
