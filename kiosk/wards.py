"""Wards of the 2025 two-level list, and old ID-card addresses read in today's terms.

Since 1 July 2025 a province has wards, communes and special zones and no districts.
The official list with its 5-digit codes comes from ``vietnam-provinces`` (kept up to
date by its maintainers, never a table typed here); old addresses ("Phường 2, Quận 6")
are mapped to the 2025 ward by ``vietnamadminunits``. A ward that the 2025 reform split
between several new wards is reported with every candidate and no guess: the package
would guess by geocoding over the internet, which a kiosk must not do.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

log = logging.getLogger(__name__)

_OLD_DISTRICT = re.compile(r"\b(quan|huyen|thi xa|thanh pho thu duc|tp\.? ?thu duc)\b")


def _fold(text: str) -> str:
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def list_version() -> str:
    """Which edition of the ward list validates profiles (shown by check-config)."""
    import vietnam_provinces as vp
    return f"vietnam-provinces {vp.__version__} (data of {vp.__data_version__})"


@lru_cache(maxsize=None)
def _wards() -> dict[str, tuple[str, str]]:
    """5-digit code → (official name, province name)."""
    from vietnam_provinces import Province, Ward
    provinces = {int(p.code): p.name for p in Province.iter_all()}
    return {f"{int(w.code):05d}": (w.name, provinces.get(int(w.province_code), ""))
            for w in Ward.iter_all()}


def ward(code: str) -> tuple[str, str] | None:
    """(name, province) of a 2025 ward code, or None when the list has no such code."""
    return _wards().get(str(code).strip())


def check_ward(name: str, code: str) -> list[str]:
    """Problems with a profile's ``ward`` / ``ward_code`` (empty list: both fine)."""
    code = str(code or "").strip()
    if not re.fullmatch(r"[0-9]{5}", code):
        return [f"ward_code: found {code!r}; expected the 5-digit code of the 2025 ward "
                f"list (e.g. '27367' for Phường Bình Tây)"]
    found = ward(code)
    if found is None:
        return [f"ward_code: {code} is not in the 2025 ward list ({list_version()}); "
                "look the ward up in that list"]
    if _fold(name) != _fold(found[0]):
        return [f"ward: found {name!r} but code {code} is {found[0]!r} ({found[1]}); "
                "write the official name or fix the code"]
    return []


def codes_for(name: str) -> list[str]:
    """Every 2025 code whose ward carries this name (hints for a wrong profile)."""
    target = _fold(name)
    return [c for c, (n, _p) in _wards().items() if _fold(n) == target]


@dataclass(frozen=True)
class AddressReading:
    """An address as the card holds it, plus the 2025 ward where that is known."""

    as_read: str
    ward_2025: str | None = None
    ward_code_2025: str | None = None
    province_2025: str | None = None
    candidates: list[str] = field(default_factory=list)   # a split ward: every successor

    def as_json(self) -> dict:
        return {"as_read": self.as_read, "ward_2025": self.ward_2025,
                "ward_code_2025": self.ward_code_2025, "province_2025": self.province_2025,
                "candidates_2025": list(self.candidates)}

    def line(self, lang: str = "vi") -> str:
        """The 2025 ward in words for a screen ("" when unknown)."""
        if self.ward_2025:
            return {"vi": f"Nay thuộc {self.ward_2025}", "en": f"Now {self.ward_2025}",
                    "zh": f"现属 {self.ward_2025}"}.get(lang, f"Nay thuộc {self.ward_2025}")
        if self.candidates:
            names = " / ".join(self.candidates)
            return {"vi": f"Nay thuộc một trong: {names}", "en": f"Now one of: {names}",
                    "zh": f"现属以下之一：{names}"}.get(lang, names)
        return ""


def _mentions(folded_text: str, unit: str | None) -> bool:
    if not unit:
        return False
    return re.search(rf"(?<![0-9a-z]){re.escape(_fold(unit))}(?![0-9a-z])",
                     folded_text) is not None


def read_address(text: str) -> AddressReading:
    """Map a pre-July-2025 address to its 2025 ward; never raises, never goes online."""
    reading = AddressReading(as_read=text or "")
    folded = _fold(text)
    if not folded or not _OLD_DISTRICT.search(folded):
        return reading          # already in the 2025 form (or nothing to say)
    try:
        from vietnamadminunits import convert_address
        from vietnamadminunits.parser import ParseMode, parse_address
        old = parse_address(text, mode=ParseMode.LEGACY, keep_street=True, level=3)
        # the parser matches loosely ("Phường 99" → "Phường 9"): keep only what is written
        if not (_mentions(folded, old.ward) and _mentions(folded, old.district)):
            return reading
        key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
        split = _split_wards(old.province_key, key)
        if split:
            return AddressReading(as_read=text, candidates=split)
        new = convert_address(", ".join(p for p in (old.ward, old.district, old.province)
                                        if p))
    except Exception as exc:            # a library fault must not stop an identification
        log.warning("old address not converted: %s", type(exc).__name__)
        return reading
    if not new.ward:
        return reading
    return AddressReading(as_read=text, ward_2025=new.ward,
                          ward_code_2025=f"{int(new.ward_code):05d}" if new.ward_code
                          else None, province_2025=new.province)


def _split_wards(old_province_key: str | None, key: str) -> list[str]:
    """Names of the 2025 wards an old ward was split into ([] when it was not split)."""
    try:
        from vietnamadminunits.converter import converter_2025 as conv
        from vietnamadminunits.parser import ParseMode, parse_address
    except Exception:
        return []
    province = next((k for k, v in getattr(conv, "DICT_PROVINCE", {}).items()
                     if old_province_key and old_province_key in v), None)
    parts = getattr(conv, "DICT_PROVINCE_WARD_DIVIDED", {}).get(province or "", {}).get(key)
    if not parts:
        return []
    names = []
    for part in parts:
        unit = parse_address(f"{part['newWardKey']},{province}", mode=ParseMode.FROM_2025,
                             level=2)
        if unit.ward:
            names.append(unit.ward)
    return names
