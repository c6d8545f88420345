"""Remove plaintext phone and ID numbers (and card addresses) from a payload once the
city has it."""
from __future__ import annotations

PHONE_KEYS = {"phone", "phone_number", "citizen_phone"}
ID_KEYS = {"id_number", "cccd", "id_card"}
ADDRESS_KEYS = {"address", "address_as_read"}      # as read from the ID card


def _mask(value: str, keep: int) -> str:
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def scrub(value):
    """A copy with every phone (last 3 digits kept) and ID number (last 4) masked."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, str) and k in PHONE_KEYS and any(c.isdigit() for c in v[:-3]):
                out[k] = _mask(v, 3)
            elif isinstance(v, str) and k in ID_KEYS and any(c.isdigit() for c in v[:-4]):
                out[k] = _mask(v, 4)
            elif isinstance(v, str) and k in ADDRESS_KEYS and v:
                out[k] = "***"
            else:
                out[k] = scrub(v)
        return out
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value
