"""GSM modem text: UCS2 hex for Vietnamese, +CMS ERROR meanings, and the 70-character
split (from ``hardware.sms_text``, shared with the receipts).

Pure functions, apart from the serial link, so they can be tested byte for byte.
"""
from __future__ import annotations

import re

from hardware.sms_text import SMS_LIMIT, split_sms, ucs2_len

__all__ = ["SMS_LIMIT", "CTRL_Z", "CMS_ERRORS", "SIM_PROBLEMS", "cms_error", "describe_cms",
           "from_ucs2_hex", "message_ref", "parse_csq", "rssi_dbm", "split_sms",
           "to_ucs2_hex", "ucs2_len"]

CTRL_Z = b"\x1a"

# 3GPP TS 27.005 §3.2.5 and 24.011 causes a kiosk meets; (meaning, transient?)
CMS_ERRORS: dict[int, tuple[str, bool]] = {
    1: ("unassigned (unallocated) number", False),
    8: ("operator determined barring", False),
    10: ("call barred", False),
    21: ("short message transfer rejected", False),
    27: ("destination out of service", True),
    28: ("unidentified subscriber", False),
    29: ("facility rejected", False),
    30: ("unknown subscriber", False),
    38: ("network out of order", True),
    41: ("temporary network failure", True),
    42: ("network congestion", True),
    47: ("network resources unavailable", True),
    50: ("SMS not subscribed on this SIM", False),
    96: ("invalid mandatory information (check the number)", False),
    111: ("protocol error", True),
    300: ("modem failure", True),
    302: ("operation not allowed", False),
    304: ("invalid PDU mode parameter", False),
    305: ("invalid text mode parameter", False),
    310: ("SIM card not inserted", False),
    311: ("SIM PIN required", False),
    313: ("SIM failure", False),
    314: ("SIM busy", True),
    316: ("SIM PUK required", False),
    322: ("SIM message memory full", False),
    330: ("SMS centre address unknown", False),
    331: ("no network service", True),
    332: ("network timeout", True),
    500: ("unknown modem error", True),
}
SIM_PROBLEMS = {310, 311, 313, 316, 322, 330, 50, 8}


def to_ucs2_hex(text: str) -> str:
    """'Mai' → '004D00610069': what AT+CSCS="UCS2" expects for numbers and text."""
    return text.encode("utf-16-be").hex().upper()


def from_ucs2_hex(hex_text: str) -> str:
    return bytes.fromhex(hex_text.strip()).decode("utf-16-be")


_CMS = re.compile(r"\+CMS ERROR:\s*(\d{1,5}\b|[A-Za-z ].*)")
_CMGS = re.compile(r"\+CMGS:\s*(\d+)")
_CSQ = re.compile(r"\+CSQ:\s*(\d{1,3}),\s*(\d{1,3})\b")


def cms_error(line: str) -> int | None:
    m = _CMS.search(line)
    if not m:
        return None
    return int(m.group(1)) if m.group(1).isdigit() else 500


def describe_cms(code: int) -> tuple[str, bool]:
    return CMS_ERRORS.get(code, (f"modem error {code}", True))


def message_ref(line: str) -> str | None:
    m = _CMGS.search(line)
    return m.group(1) if m else None


def parse_csq(line: str) -> tuple[int, int] | None:
    """(rssi 0..31 or 99 = unknown, ber) from '+CSQ: 17,0'."""
    m = _CSQ.search(line)
    return (int(m.group(1)), int(m.group(2))) if m else None


def rssi_dbm(rssi: int) -> int | None:
    return None if rssi == 99 else -113 + 2 * rssi
