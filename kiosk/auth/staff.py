"""Staff and technician sign-in: ID + PIN + TOTP from an authenticator app.

Accounts live in the ``staff`` table (PIN as an scrypt hash with a per-user salt); the
TOTP secrets live outside the database in ``secrets.staff_totp_file`` (JSON, mode 0600),
so a copied database alone cannot sign anyone in. pyotp has no replay protection: the
time step of the last accepted code is stored per person and a code of that step or an
earlier one is refused (RFC 6238 §5.2). Five failures in a row lock the account for 15
minutes (RFC 4226 §7.3). Every sign-in, failure, refusal and lockout is journalled;
no PIN or code is ever written anywhere.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyotp

from kiosk.clock import parse_iso, utc_iso
from kiosk.secrets import SecretFileError, read_secret, write_secret

ROLES = ("staff", "technician")
MAX_FAILURES = 5
LOCK_MINUTES = 15
TOTP_INTERVAL = 30
ISSUER = "Kiosk ho so 24/7"
_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class StaffAuthError(Exception):
    """A refused sign-in or enrolment; ``reason`` is a stable key for the screen."""

    def __init__(self, reason: str, message: str, **details):
        super().__init__(message)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class StaffSession:
    """Who is signed in at the machine; ``actor`` is what the journal records."""

    staff_id: str
    name: str
    role: str
    signed_in_at: datetime

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.staff_id}"

    @property
    def is_technician(self) -> bool:
        return self.role == "technician"


# ---- PIN hashing ---------------------------------------------------------------------
def hash_pin(pin: str, *, salt: bytes | None = None, n: int = _SCRYPT["n"],
             r: int = _SCRYPT["r"], p: int = _SCRYPT["p"]) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def check_pin_format(pin: str) -> str:
    if not pin or not pin.isdigit() or not 6 <= len(pin) <= 12:
        raise StaffAuthError("pin.format", "a PIN is 6 to 12 digits")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise StaffAuthError("pin.weak", "choose a PIN that is not one digit repeated or a "
                                         "run like 123456")
    return pin


# ---- TOTP secrets file ----------------------------------------------------------------
class TotpSecrets:
    """``{staff_id: base32 secret}`` in one JSON file, mode 0600, rewritten atomically."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            raw = read_secret(self.path)
        except SecretFileError as exc:
            if "is empty" in str(exc):
                return {}
            raise
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SecretFileError(f"{self.path} is not a JSON object of staff secrets; "
                                  "restore it from the backup") from None
        if not isinstance(data, dict):
            raise SecretFileError(f"{self.path} is not a JSON object of staff secrets")
        return data

    def get(self, staff_id: str) -> str | None:
        with self._lock:
            return self._load().get(staff_id)

    def put(self, staff_id: str, secret: str) -> None:
        with self._lock:
            data = self._load()
            data[staff_id] = secret
            write_secret(self.path, json.dumps(data, indent=1, sort_keys=True).encode())

    def remove(self, staff_id: str) -> None:
        with self._lock:
            data = self._load()
            if data.pop(staff_id, None) is not None:
                write_secret(self.path, json.dumps(data, indent=1, sort_keys=True).encode())


def totp_step(when: datetime, interval: int = TOTP_INTERVAL) -> int:
    return int(when.timestamp()) // interval


# ---- the service ----------------------------------------------------------------------
class StaffAuth:
    def __init__(self, ledger, clock, totp_file: str | os.PathLike, *,
                 max_failures: int = MAX_FAILURES, lock_minutes: int = LOCK_MINUTES,
                 scrypt_n: int = _SCRYPT["n"]):
        self.ledger = ledger
        self.store = ledger.store
        self.clock = clock
        self.secrets = TotpSecrets(totp_file)
        self.max_failures = max_failures
        self.lock_minutes = lock_minutes
        self.scrypt_n = scrypt_n
        self._lock = threading.Lock()
        self._dummy_hash = hash_pin(secrets.token_hex(8), n=scrypt_n)

    # -- enrolment ----------------------------------------------------------------------
    def add(self, staff_id: str, name: str, pin: str, *, role: str = "staff",
            actor: str = "cli") -> str:
        """Create an account; returns the provisioning URI for the authenticator app."""
        staff_id = (staff_id or "").strip().lower()
        if not _ID_RE.match(staff_id):
            raise StaffAuthError("id.format", "a staff ID is 2 to 32 letters, digits, '.', "
                                              "'_' or '-'")
        if role not in ROLES:
            raise StaffAuthError("role", f"role must be one of {', '.join(ROLES)}")
        if not (name or "").strip():
            raise StaffAuthError("name", "give the person's name")
        check_pin_format(pin)
        if self.account(staff_id) is not None:
            raise StaffAuthError("id.taken", f"staff ID {staff_id} exists already; choose "
                                             "another or disable the old one first")
        secret = pyotp.random_base32()
        self.secrets.put(staff_id, secret)
        with self.ledger.transaction():
            self.store.execute(
                "INSERT INTO staff(id, name, role, pin_hash, created_at) VALUES (?,?,?,?,?)",
                (staff_id, name.strip(), role, hash_pin(pin, n=self.scrypt_n),
                 utc_iso(self.clock.now())))
            self.ledger.event("staff.enrolled", actor=actor, subject=staff_id,
                              reason=f"new {role} account", data={"role": role},
                              to_city=True)
        return self.provisioning_uri(staff_id)

    def provisioning_uri(self, staff_id: str) -> str:
        secret = self.secrets.get(staff_id)
        if secret is None:
            raise StaffAuthError("no_secret", f"no TOTP secret for {staff_id} in "
                                              f"{self.secrets.path}; enrol the person again")
        row = self.account(staff_id)
        return pyotp.TOTP(secret).provisioning_uri(
            name=f"{staff_id} ({row['name'] if row else ''})", issuer_name=ISSUER)

    def account(self, staff_id: str) -> dict | None:
        return self.store.query_one("SELECT * FROM staff WHERE id = ?", (staff_id,))

    def accounts(self) -> list[dict]:
        return self.store.query("SELECT id, name, role, failures, locked_until, disabled, "
                                "created_at FROM staff ORDER BY id")

    def disable(self, staff_id: str, *, actor: str = "cli", reason: str = "disabled") -> None:
        staff_id = (staff_id or "").strip().lower()
        if self.account(staff_id) is None:
            raise StaffAuthError("unknown", f"no staff ID {staff_id}")
        with self.ledger.transaction():
            self.store.execute("UPDATE staff SET disabled = 1 WHERE id = ?", (staff_id,))
            self.ledger.event("staff.disabled", actor=actor, subject=staff_id, reason=reason)
        self.secrets.remove(staff_id)

    # -- sign-in ------------------------------------------------------------------------
    def sign_in(self, staff_id: str, pin: str, code: str, *,
                role: str | None = None) -> StaffSession:
        """Check ID + PIN + TOTP; raises ``StaffAuthError`` with a reason on refusal.

        ``role`` restricts who may use this door (a technician screen asks for
        'technician'). Wrong PIN, wrong or replayed code, wrong role all count as one
        failure; the fifth in a row locks the account."""
        staff_id = (staff_id or "").strip().lower()   # typed on a keypad in capitals
        now = self.clock.now()
        with self._lock:
            row = self.account(staff_id)
            if row is None:
                # as slow as a real check, so that timing does not tell which IDs exist
                check_pin(pin or "", self._dummy_hash)
                # what was typed is not recorded: it may be a PIN typed in the wrong field
                self.ledger.event("staff.signin_failed", actor="kiosk", subject="unknown-id",
                                  reason="unknown staff ID", data={"length": len(staff_id)})
                raise StaffAuthError("wrong", "staff ID, PIN or code is wrong")
            if row["disabled"]:
                self.ledger.event("staff.signin_refused", actor="kiosk", subject=staff_id,
                                  reason="account disabled")
                raise StaffAuthError("disabled", "this account is disabled; ask the office")
            if row["locked_until"] and parse_iso(row["locked_until"]) > now:
                until = parse_iso(row["locked_until"]).astimezone(self.clock.zone)
                self.ledger.event("staff.signin_refused", actor="kiosk", subject=staff_id,
                                  reason="account locked")
                raise StaffAuthError("locked", f"too many failures: locked until "
                                               f"{until:%H:%M}; try again then or ask the "
                                               "office", until=until)
            problem = None
            step = None
            if not check_pin(pin or "", row["pin_hash"]):
                problem = "wrong PIN"
            else:
                step = self._match_step(staff_id, code, now)
                if step is None:
                    problem = "wrong code"
                elif step <= row["last_totp_step"]:
                    problem = "code already used"
                elif role is not None and row["role"] != role:
                    problem = f"role {row['role']} may not use the {role} sign-in"
            if problem is not None:
                self._failed(row, problem, now)
            with self.ledger.transaction():
                self.store.execute("UPDATE staff SET failures = 0, locked_until = NULL, "
                                   "last_totp_step = ? WHERE id = ?", (step, staff_id))
                self.ledger.event("staff.signin", actor=f"{row['role']}:{staff_id}",
                                  subject=staff_id, reason="signed in",
                                  data={"role": row["role"]})
        return StaffSession(staff_id, row["name"], row["role"], now)

    def sign_out(self, session: StaffSession, reason: str = "signed out") -> None:
        self.ledger.event("staff.signout", actor=session.actor, subject=session.staff_id,
                          reason=reason)

    def _match_step(self, staff_id: str, code: str, now: datetime) -> int | None:
        """The time step the code belongs to (now ± 1 step), or None."""
        code = (code or "").strip()
        secret = self.secrets.get(staff_id)
        if secret is None or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
        if not totp.verify(code, for_time=now, valid_window=1):
            return None
        here = totp_step(now)
        for step in (here, here - 1, here + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    def _failed(self, row: dict, problem: str, now: datetime):
        failures = int(row["failures"]) + 1
        with self.ledger.transaction():
            if failures >= self.max_failures:
                until = now + timedelta(minutes=self.lock_minutes)
                self.store.execute("UPDATE staff SET failures = 0, locked_until = ? "
                                   "WHERE id = ?", (utc_iso(until), row["id"]))
                self.ledger.event("staff.signin_failed", actor="kiosk", subject=row["id"],
                                  reason=problem, data={"failures": failures})
                self.ledger.event("staff.locked", actor="kiosk", subject=row["id"],
                                  reason=f"{failures} failures in a row",
                                  data={"until": utc_iso(until)})
            else:
                self.store.execute("UPDATE staff SET failures = ? WHERE id = ?",
                                   (failures, row["id"]))
                self.ledger.event("staff.signin_failed", actor="kiosk", subject=row["id"],
                                  reason=problem, data={"failures": failures})
        if failures >= self.max_failures:
            until = (now + timedelta(minutes=self.lock_minutes)).astimezone(self.clock.zone)
            raise StaffAuthError("locked", f"too many failures: locked until {until:%H:%M}; "
                                           "try again then or ask the office", until=until)
        raise StaffAuthError("wrong", "staff ID, PIN or code is wrong",
                             tries_left=self.max_failures - failures)


def build_staff_auth(cfg, ledger, clock) -> StaffAuth:
    """The staff sign-in of a profile (secrets file from ``cfg.secrets``)."""
    return StaffAuth(ledger, clock, cfg.path(cfg.secrets.staff_totp_file))
