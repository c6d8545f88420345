"""OTP limits kept in the store: a restart does not reset them, the phone is kept only
as an HMAC, and a kiosk-wide budget stops a flood of SMS with an alert."""
from __future__ import annotations

import re

import pytest

from kiosk.alerts import AlertBook
from kiosk.auth.otp import OtpBudgetSpent, OtpPolicy, OtpRateLimited, OtpService
from kiosk.auth.otp_limits import SMS_BUDGET_SPENT, StoreSendLog
from kiosk.clock import ManualClock
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.store import Store

PHONE = "0912345678"
KEY = b"otp-limit-key-0123456789abcdef01"


class Inbox:
    def __init__(self):
        self.messages = []

    def __call__(self, phone, text, *, key):
        self.messages.append((phone, text, key))


def service(store, clock, inbox, **kw):
    return OtpService(clock, KEY, inbox, limits=StoreSendLog(store), **kw)


def test_a_restart_does_not_reset_the_phone_limit(tmp_path):
    clock, inbox = ManualClock(), Inbox()
    store = Store.open(tmp_path / "kiosk.db")
    otp = service(store, clock, inbox)
    for _ in range(3):
        otp.request(PHONE)
    store.close()
    # the kiosk restarts: a new process, a new service, the monotonic clock from zero
    clock.advance(60)
    store = Store.open(tmp_path / "kiosk.db")
    otp = service(store, clock, inbox)
    with pytest.raises(OtpRateLimited) as exc:
        otp.request(PHONE)
    assert 13 * 60 <= exc.value.retry_after_s <= 14 * 60
    assert len(inbox.messages) == 3
    clock.advance(14 * 60 + 1)
    otp.request(PHONE)                     # the window has passed
    clock.advance(3600)
    otp.request("0987654321")
    rows = store.query("SELECT * FROM otp_sends")
    text = repr(rows)
    assert PHONE not in text and PHONE[1:] not in text and "987654321" not in text
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["phone_key"]) for r in rows)
    assert len(rows) == 2                  # sends older than every window are forgotten
    store.close()


def test_the_kiosk_wide_budget_stops_a_flood_and_raises_an_alert(tmp_path):
    clock, inbox = ManualClock(), Inbox()
    store = Store.open(tmp_path / "kiosk.db")
    ledger = Ledger(store, clock, Pii(KEY), "SIM-BINHTAY-01")
    book = AlertBook(ledger, clock, clear_after_s=0)
    policy = OtpPolicy(kiosk_max_sms=10, kiosk_window_s=3600)

    def spent(detail):
        book.observe(SMS_BUDGET_SPENT, "SIM-BINHTAY-01", True, detail)

    otp = service(store, clock, inbox, policy=policy, on_budget_spent=spent)
    book.add_probe(lambda: [(SMS_BUDGET_SPENT, "SIM-BINHTAY-01", otp.budget_spent(), "")])
    for n in range(10):                    # ten different numbers, one code each
        otp.request(f"09{n:08d}")
        clock.advance(60)
    with pytest.raises(OtpBudgetSpent) as exc:
        otp.request("0988888888")
    assert exc.value.reason == "otp.kiosk_budget"
    assert 49 * 60 <= exc.value.retry_after_s <= 51 * 60    # the oldest leaves the hour
    assert [a.kind for a in book.active()] == [SMS_BUDGET_SPENT]
    assert len(inbox.messages) == 10
    alert_rows = store.query("SELECT * FROM journal WHERE action = 'alert.raised'")
    assert len(alert_rows) == 1
    # a restart keeps the budget spent
    store.close()
    store = Store.open(tmp_path / "kiosk.db")
    otp = service(store, clock, inbox, policy=policy)
    with pytest.raises(OtpBudgetSpent):
        otp.request("0977777777")
    clock.advance(51 * 60)
    otp.request("0977777777")
    assert len(inbox.messages) == 11
    store.close()


def test_the_composition_root_wires_the_store_and_the_alert(tmp_path):
    from kiosk.app import build_otp
    from kiosk.config import load_config
    cfg = load_config("config/sim.toml")
    clock, inbox = ManualClock(), Inbox()
    store = Store.open(tmp_path / "kiosk.db")
    ledger = Ledger(store, clock, Pii(KEY), cfg.kiosk.id)
    book = AlertBook(ledger, clock, clear_after_s=0)
    otp = build_otp(cfg, store, clock, KEY, inbox, book)
    assert isinstance(otp.limits, StoreSendLog)
    otp.request(PHONE)
    assert store.query_one("SELECT COUNT(*) n FROM otp_sends")["n"] == 1
    assert book.evaluate() == []
    store.close()
