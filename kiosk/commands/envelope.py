"""A city command as it travels: a JSON object signed with the city's Ed25519 key.

    {"id": "c-...", "kiosk": "SIM-BINHTAY-01", "command": "tray.out_of_service",
     "args": {"tray": "A03"}, "issued_at": "...Z", "expires_at": "...Z",
     "signature": "<base64 of the 64-byte Ed25519 signature>"}

The signature covers the canonical JSON of every other field (keys sorted, no spaces,
UTF-8), so no field can be changed, added or dropped without breaking it. The city's
public key is pinned in the profile; there is no key exchange on the wire.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FIELDS = ("id", "kiosk", "command", "args", "issued_at", "expires_at")
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class Refused(Exception):
    """A command that is not run; ``reason`` is one word for the city, ``message`` says
    what is wrong."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Command:
    id: str
    kiosk: str
    name: str
    args: dict
    issued_at: datetime
    expires_at: datetime


def canonical(body: dict) -> bytes:
    """The bytes that are signed: every field but the signature, canonical JSON."""
    return json.dumps({k: v for k, v in body.items() if k != "signature"},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _when(body: dict, key: str) -> datetime:
    value = body.get(key)
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Refused("malformed", f"{key} {value!r} is not an ISO 8601 time") from None
    if dt.tzinfo is None:
        raise Refused("malformed", f"{key} has no time zone; send UTC with 'Z'")
    return dt


def command_id(body) -> str:
    """The id to report a refusal under, even for a malformed body."""
    if isinstance(body, dict) and isinstance(body.get("id"), str) and ID_RE.match(body["id"]):
        return body["id"]
    return "?"


def verify(body, public_key: Ed25519PublicKey | None, *, kiosk_id: str, now: datetime,
           max_lifetime_s: float) -> Command:
    """The command, checked: form, signature with the pinned key, kiosk, expiry.
    Raises ``Refused`` otherwise. (Replays are the command book's business.)"""
    if not isinstance(body, dict):
        raise Refused("malformed", "a command is a JSON object")
    if public_key is None:
        raise Refused("no_key", "no city public key is pinned in the profile "
                      "([commands] city_public_key); remote commands are off")
    sig = body.get("signature")
    if not sig:
        raise Refused("unsigned", "the command carries no signature")
    try:
        raw = base64.b64decode(str(sig), validate=True)
    except (binascii.Error, ValueError):
        raise Refused("bad_signature", "the signature is not base64") from None
    try:
        public_key.verify(raw, canonical(body))
    except InvalidSignature:
        raise Refused("bad_signature", "the signature does not match the city's pinned "
                      "key (forged, altered or signed with another key)") from None
    missing = [k for k in FIELDS if k not in body]
    extra = sorted(set(body) - set(FIELDS) - {"signature"})
    if missing or extra:
        raise Refused("malformed", f"missing {missing} / unknown fields {extra}")
    if not isinstance(body["id"], str) or not ID_RE.match(body["id"]):
        raise Refused("malformed", "id must be 1-64 letters, digits or -_.:")
    if not isinstance(body["command"], str) or not isinstance(body["args"], dict):
        raise Refused("malformed", "command must be a name and args an object")
    if body["kiosk"] != kiosk_id:
        raise Refused("wrong_kiosk", f"the command is for kiosk {body['kiosk']!r}, this is "
                      f"{kiosk_id!r}")
    issued, expires = _when(body, "issued_at"), _when(body, "expires_at")
    if expires <= issued or (expires - issued).total_seconds() > max_lifetime_s:
        raise Refused("malformed", f"expires_at must be after issued_at and at most "
                      f"{max_lifetime_s:.0f} s later")
    if now.astimezone(timezone.utc) >= expires:
        raise Refused("expired", f"the command expired at {body['expires_at']}")
    return Command(body["id"], body["kiosk"], body["command"], body["args"], issued, expires)


def load_public_key(text: str) -> Ed25519PublicKey | None:
    text = (text or "").strip()
    if not text:
        return None
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))
