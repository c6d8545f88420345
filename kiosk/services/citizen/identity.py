"""Who the citizen is: the ID card or typed ID number, the phone and its SMS code."""
from __future__ import annotations

import logging
import re

from kiosk.auth.otp import OtpError
from kiosk.cccd import NotAnIdCard, ScanAgain, parse_cccd
from kiosk.pii import InvalidPhone, mask_phone, normalize_phone
from kiosk.services.citizen.deposit import Deposit
from kiosk.services.citizen.errors import CitizenError

log = logging.getLogger(__name__)


def parse_id_text(text: str) -> dict:
    """A CCCD QR ('001099012345|123456789|Trần Thị Mai|01011990|Nữ|...|01012021') or a
    typed ID number (12-digit CCCD, or 9-digit old CMND) → {'id_number', 'name'}."""
    text = (text or "").strip()
    if "|" in text:
        try:
            card = parse_cccd(text)
        except ScanAgain as exc:
            raise CitizenError("id.scan_again", f"{exc.reason}; please scan again") from None
        except NotAnIdCard as exc:
            raise CitizenError("id.unreadable", f"not a readable ID card QR: {exc.reason}") \
                from None
        return {"id_number": card.id, "name": card.name, "address": card.address}
    else:
        number, name = re.sub(r"[\s.\-]", "", text), ""
    if not re.fullmatch(r"[0-9]{9}|[0-9]{12}", number):   # ASCII digits only
        raise CitizenError("id.invalid", "an ID number has 12 digits (chip ID card) "
                           "or 9 digits (old ID card)")
    return {"id_number": number, "name": name}


class IdentitySteps:
    """Identify, phone and OTP steps of ``CitizenService``."""

    def identify(self, deposit: Deposit, text: str) -> None:
        found = parse_id_text(text)
        deposit.id_number, deposit.name = found["id_number"], found["name"]
        deposit.address = None
        if found.get("address"):
            from kiosk.wards import read_address
            deposit.address = read_address(found["address"])

    @staticmethod
    def phone(text: str) -> str:
        try:
            return normalize_phone(text)
        except InvalidPhone as exc:
            raise CitizenError("phone.invalid", str(exc)) from None

    def send_code(self, phone_text: str) -> str:
        """Blocking (SMS): send a code; returns the challenge id."""
        phone = self.phone(phone_text)
        try:
            return self.otp.request(phone)
        except OtpError as exc:
            raise CitizenError(exc.reason, str(exc),
                               retry_after_s=getattr(exc, "retry_after_s", 0)) from None
        except Exception as exc:
            log.warning("OTP SMS to %s failed: %s", mask_phone(phone), exc)
            raise CitizenError("sms.failed", "the SMS could not be sent") from None

    def check_code(self, challenge_id: str, code: str) -> None:
        try:
            self.otp.verify(challenge_id, code)
        except OtpError as exc:
            raise CitizenError(exc.reason, str(exc),
                               tries_left=getattr(exc, "tries_left", 0)) from None

    def deposit_phone(self, deposit: Deposit, phone_text: str) -> None:
        """Blocking: remember the phone and send it a code."""
        phone = self.phone(phone_text)
        deposit.otp_challenge = self.send_code(phone)
        deposit.phone, deposit.phone_verified = phone, False

    def deposit_code(self, deposit: Deposit, code: str) -> None:
        if not deposit.otp_challenge:
            raise CitizenError("otp.expired")
        self.check_code(deposit.otp_challenge, code)
        deposit.phone_verified = True
        deposit.otp_challenge = None
