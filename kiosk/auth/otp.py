"""Citizen one-time codes sent by SMS.

Each challenge draws a fresh random secret (pyotp) and derives one 6-digit code from it;
the secret is dropped at once and only ``HMAC-SHA256(key, challenge ‖ code)`` is kept, in
memory. Lifetimes run on the monotonic clock, so a wall-clock jump cannot stretch them.
Rules (DESIGN.md): 5 minutes, 3 tries then a new SMS, at most 3 SMS per phone per
15 minutes, a code that was accepted once is never accepted again. The SMS counts live
in a ``SendLog`` (the store's on a kiosk, ``kiosk/auth/otp_limits.py``) so a restart does
not reset them, with a kiosk-wide budget on top that raises an alert when spent.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable

import pyotp

from kiosk.auth.otp_limits import MemorySendLog, SendLog


class OtpError(Exception):
    """Base of the OTP refusals; ``reason`` is a stable key for the UI's message."""

    reason = "otp"


class OtpWrong(OtpError):
    reason = "otp.wrong"

    def __init__(self, tries_left: int):
        super().__init__(f"the code does not match; {tries_left} tries left")
        self.tries_left = tries_left


class OtpExhausted(OtpError):
    reason = "otp.exhausted"

    def __init__(self):
        super().__init__("3 wrong codes: ask for a new code by SMS")


class OtpExpired(OtpError):
    reason = "otp.expired"

    def __init__(self):
        super().__init__("the code has expired or was already used: ask for a new code")


class OtpRateLimited(OtpError):
    reason = "otp.rate_limited"

    def __init__(self, retry_after_s: float):
        super().__init__(f"3 codes were sent to this phone in 15 minutes; try again in "
                         f"{int(retry_after_s // 60) + 1} minutes or call 1022")
        self.retry_after_s = retry_after_s


class OtpBudgetSpent(OtpRateLimited):
    """The whole kiosk sent its budget of codes in the window (a flood, not one person)."""

    reason = "otp.kiosk_budget"

    def __init__(self, retry_after_s: float, sent: int, window_s: float):
        OtpError.__init__(self, f"the kiosk sent {sent} codes in {int(window_s // 60)} "
                                f"minutes, its budget; try again in "
                                f"{int(retry_after_s // 60) + 1} minutes or call 1022")
        self.retry_after_s = retry_after_s


@dataclass
class _Challenge:
    phone_key: str
    digest: bytes
    expires_at: float
    tries: int = 0
    used: bool = False


@dataclass
class OtpPolicy:
    digits: int = 6
    lifetime_s: float = 300.0
    max_tries: int = 3
    max_sms: int = 3
    sms_window_s: float = 900.0
    kiosk_max_sms: int = 120         # every phone together, per kiosk_window_s
    kiosk_window_s: float = 3600.0


SmsSend = Callable[..., object]   # send(phone, text, *, key=idempotency key)


@dataclass
class OtpService:
    """Issue and check codes. ``send(phone, text, key)`` delivers the SMS."""

    clock: object
    key: bytes
    send: SmsSend
    policy: OtpPolicy = field(default_factory=OtpPolicy)
    message: Callable[[str], str] = lambda code: (
        f"Ma xac thuc may ho so 24/7: {code}. Het han sau 5 phut. Khong dua ma nay cho ai.")
    limits: SendLog | None = None
    # told once per refusal when the kiosk-wide budget is spent (the alert book)
    on_budget_spent: Callable[[str], None] | None = None

    def __post_init__(self):
        self._lock = threading.Lock()
        self._challenges: dict[str, _Challenge] = {}
        if self.limits is None:
            self.limits = MemorySendLog()

    def _phone_key(self, phone: str) -> str:
        return hmac.new(self.key, b"otp-phone|" + phone.encode(), hashlib.sha256).hexdigest()

    def _digest(self, challenge_id: str, code: str) -> bytes:
        return hmac.new(self.key, f"otp|{challenge_id}|{code}".encode(), hashlib.sha256).digest()

    def _wall(self) -> float:
        return self.clock.now().timestamp()

    def sms_left(self, phone: str) -> int:
        since = self._wall() - self.policy.sms_window_s
        return self.policy.max_sms - len(self.limits.phone_times(self._phone_key(phone),
                                                                 since))

    def budget_spent(self) -> bool:
        """The kiosk-wide budget is used up (the alert book's probe)."""
        since = self._wall() - self.policy.kiosk_window_s
        return len(self.limits.kiosk_times(since)) >= self.policy.kiosk_max_sms

    def _admit(self, phone_key: str) -> None:
        """Refuse over either limit, else count this SMS (before it is sent: a crash
        after the count costs the citizen one of three, never the limit its meaning)."""
        now = self._wall()
        p = self.policy
        self.limits.forget_before(now - max(p.sms_window_s, p.kiosk_window_s))
        mine = self.limits.phone_times(phone_key, now - p.sms_window_s)
        if len(mine) >= p.max_sms:
            raise OtpRateLimited(max(0.0, p.sms_window_s - (now - mine[0])))
        every = self.limits.kiosk_times(now - p.kiosk_window_s)
        if len(every) >= p.kiosk_max_sms:
            wait = max(0.0, p.kiosk_window_s - (now - every[-p.kiosk_max_sms]))
            refusal = OtpBudgetSpent(wait, len(every), p.kiosk_window_s)
            if self.on_budget_spent is not None:
                self.on_budget_spent(str(refusal))
            raise refusal
        self.limits.add(phone_key, now)

    def request(self, phone: str) -> str:
        """Send a new code to ``phone``; returns the challenge id the UI holds."""
        phone_key = self._phone_key(phone)
        with self._lock:
            self._admit(phone_key)
            challenge_id = secrets.token_urlsafe(12)
            code = pyotp.HOTP(pyotp.random_base32(), digits=self.policy.digits).at(0)
            # a new code for a phone cancels that phone's older codes
            for cid, ch in list(self._challenges.items()):
                if ch.phone_key == phone_key or ch.expires_at <= self.clock.monotonic():
                    del self._challenges[cid]
            self._challenges[challenge_id] = _Challenge(
                phone_key, self._digest(challenge_id, code),
                self.clock.monotonic() + self.policy.lifetime_s)
        try:
            self.send(phone, self.message(code), key=f"otp-{challenge_id}")
        except Exception:
            with self._lock:
                self._challenges.pop(challenge_id, None)
            raise
        finally:
            del code
        return challenge_id

    def verify(self, challenge_id: str, code: str) -> None:
        """Return if ``code`` is right, else raise OtpWrong / OtpExhausted / OtpExpired."""
        code = "".join(ch for ch in str(code) if ch.isdigit())
        with self._lock:
            ch = self._challenges.get(challenge_id)
            if ch is None or ch.used or ch.expires_at <= self.clock.monotonic():
                raise OtpExpired()
            if ch.tries >= self.policy.max_tries:
                raise OtpExhausted()
            if hmac.compare_digest(ch.digest, self._digest(challenge_id, code)):
                ch.used = True
                return
            ch.tries += 1
            left = self.policy.max_tries - ch.tries
            if left <= 0:
                raise OtpExhausted()
            raise OtpWrong(left)

    def forget(self, challenge_id: str | None) -> None:
        """Drop a challenge (idle reset, cancel)."""
        with self._lock:
            self._challenges.pop(challenge_id or "", None)
