"""Citizen one-time codes sent by SMS.

Each challenge draws a fresh random secret (pyotp) and derives one 6-digit code from it;
the secret is dropped at once and only ``HMAC-SHA256(key, challenge ‖ code)`` is kept, in
memory. Lifetimes run on the monotonic clock, so a wall-clock jump cannot stretch them.
Rules (DESIGN.md): 5 minutes, 3 tries then a new SMS, at most 3 SMS per phone per
15 minutes, a code that was accepted once is never accepted again.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import pyotp


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

    def __post_init__(self):
        self._lock = threading.Lock()
        self._challenges: dict[str, _Challenge] = {}
        self._sent: dict[str, deque] = {}

    def _phone_key(self, phone: str) -> str:
        return hmac.new(self.key, b"otp-phone|" + phone.encode(), hashlib.sha256).hexdigest()

    def _digest(self, challenge_id: str, code: str) -> bytes:
        return hmac.new(self.key, f"otp|{challenge_id}|{code}".encode(), hashlib.sha256).digest()

    def sms_left(self, phone: str) -> int:
        with self._lock:
            return self.policy.max_sms - len(self._recent(self._phone_key(phone)))

    def _recent(self, phone_key: str) -> deque:
        """SMS times of one phone within the window; phones with none left are forgotten,
        so a kiosk that served thousands of people keeps only the last 15 minutes."""
        now = self.clock.monotonic()
        for key, times in list(self._sent.items()):
            while times and now - times[0] >= self.policy.sms_window_s:
                times.popleft()
            if not times and key != phone_key:
                del self._sent[key]
        return self._sent.setdefault(phone_key, deque())

    def request(self, phone: str) -> str:
        """Send a new code to ``phone``; returns the challenge id the UI holds."""
        phone_key = self._phone_key(phone)
        with self._lock:
            sent = self._recent(phone_key)
            if len(sent) >= self.policy.max_sms:
                raise OtpRateLimited(self.policy.sms_window_s -
                                     (self.clock.monotonic() - sent[0]))
            challenge_id = secrets.token_urlsafe(12)
            code = pyotp.HOTP(pyotp.random_base32(), digits=self.policy.digits).at(0)
            # a new code for a phone cancels that phone's older codes
            for cid, ch in list(self._challenges.items()):
                if ch.phone_key == phone_key or ch.expires_at <= self.clock.monotonic():
                    del self._challenges[cid]
            self._challenges[challenge_id] = _Challenge(
                phone_key, self._digest(challenge_id, code),
                self.clock.monotonic() + self.policy.lifetime_s)
            sent.append(self.clock.monotonic())
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
