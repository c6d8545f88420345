"""VietQR (EMVCo merchant-presented) payloads, written again from the spec for the
simulator: TLV fields, NAPAS GUID in field 38, CRC-16/CCITT-FALSE in field 63."""
from __future__ import annotations

import re
import unicodedata


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _crc(data: bytes) -> int:
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9 .\-]", " ", text)).strip()[:25]


def vietqr_payload(bank_bin: str, account: str, amount: int, purpose: str) -> str:
    acct = _tlv("00", "A000000727") + _tlv("01", _tlv("00", bank_bin) + _tlv("01", account)) \
        + _tlv("02", "QRIBFTTA")
    body = (_tlv("00", "01") + _tlv("01", "12") + _tlv("38", acct) + _tlv("53", "704")
            + _tlv("54", str(int(amount))) + _tlv("58", "VN"))
    if _ascii(purpose):
        body += _tlv("62", _tlv("08", _ascii(purpose)))
    body += "6304"
    return body + f"{_crc(body.encode('ascii')):04X}"
