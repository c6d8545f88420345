import re

import pytest

from kiosk.auth.otp import (OtpExhausted, OtpExpired, OtpPolicy, OtpRateLimited, OtpService,
                            OtpWrong)
from kiosk.clock import ManualClock

PHONE = "0912345678"


class Inbox:
    """The SMS edge: keeps what would have been sent."""

    def __init__(self):
        self.messages = []

    def __call__(self, phone, text, *, key):
        self.messages.append((phone, text, key))

    def last_code(self):
        return re.search(r"\b(\d{6})\b", self.messages[-1][1]).group(1)


@pytest.fixture
def otp():
    inbox = Inbox()
    clock = ManualClock()
    return OtpService(clock, b"k" * 32, inbox), inbox, clock


def wrong(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def test_right_code_once_only(otp):
    svc, inbox, _ = otp
    cid = svc.request(PHONE)
    code = inbox.last_code()
    svc.verify(cid, code)
    with pytest.raises(OtpExpired):
        svc.verify(cid, code)


def test_code_not_kept_in_plaintext(otp):
    svc, inbox, _ = otp
    cid = svc.request(PHONE)
    code = inbox.last_code()
    state = repr(svc.__dict__) + repr(vars(svc._challenges[cid]))
    assert code not in state and PHONE not in state


def test_three_wrong_then_new_sms(otp):
    svc, inbox, _ = otp
    cid = svc.request(PHONE)
    code = inbox.last_code()
    with pytest.raises(OtpWrong) as e1:
        svc.verify(cid, wrong(code))
    assert e1.value.tries_left == 2
    with pytest.raises(OtpWrong):
        svc.verify(cid, wrong(code))
    with pytest.raises(OtpExhausted):
        svc.verify(cid, wrong(code))
    with pytest.raises(OtpExhausted):
        svc.verify(cid, code)      # even the right code is refused now
    cid2 = svc.request(PHONE)
    svc.verify(cid2, inbox.last_code())


def test_expires_after_five_minutes(otp):
    svc, inbox, clock = otp
    cid = svc.request(PHONE)
    clock.advance(299)
    cid = svc.request(PHONE)
    code = inbox.last_code()
    clock.advance(300)
    with pytest.raises(OtpExpired):
        svc.verify(cid, code)


def test_new_code_cancels_old(otp):
    svc, inbox, _ = otp
    cid1 = svc.request(PHONE)
    code1 = inbox.last_code()
    svc.request(PHONE)
    with pytest.raises(OtpExpired):
        svc.verify(cid1, code1)


def test_three_sms_per_fifteen_minutes(otp):
    svc, inbox, clock = otp
    for _ in range(3):
        svc.request(PHONE)
        clock.advance(60)
    with pytest.raises(OtpRateLimited) as e:
        svc.request(PHONE)
    assert 0 < e.value.retry_after_s <= 900
    svc.request("0987654321")          # another phone is not affected
    clock.advance(900 - 180 + 1)
    svc.request(PHONE)
    assert len(inbox.messages) == 5


def test_phones_are_forgotten_after_the_window():
    clock = ManualClock()
    svc = OtpService(clock, b"k" * 32, Inbox(), policy=OtpPolicy(kiosk_max_sms=10**6))
    for i in range(200):
        svc.request(f"09123{i:05d}")
        clock.advance(10)
    # only the last hour of sends (the longest window) is kept
    assert len(svc.limits._rows) <= 3600 // 10 + 1
    clock.advance(3601)
    svc.request(PHONE)
    assert [k for k, _ in svc.limits._rows] == [svc._phone_key(PHONE)]