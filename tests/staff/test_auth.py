"""Staff sign-in: PIN + TOTP, replay refused, lockout after 5 failures, journal rows."""
import json
import os
import stat

import pyotp
import pytest

from kiosk.auth.staff import StaffAuthError, check_pin, hash_pin, totp_step

from .conftest import journal, outbox

PIN = "482913"


def code_now(auth, clock, staff_id="nv01", offset_steps=0):
    secret = auth.secrets.get(staff_id)
    return pyotp.TOTP(secret).generate_otp(totp_step(clock.now()) + offset_steps)


@pytest.fixture
def enrolled(auth):
    uri = auth.add("nv01", "Lê Văn Nam", PIN)
    return uri


def test_enrol_stores_hash_and_secret_outside_the_db(auth, enrolled, ledger):
    assert enrolled.startswith("otpauth://totp/")
    row = auth.account("nv01")
    assert row["role"] == "staff" and row["pin_hash"].startswith("scrypt$")
    assert PIN not in row["pin_hash"]
    secret = auth.secrets.get("nv01")
    assert secret and secret in enrolled
    dump = "\n".join(ledger.store.conn.iterdump())
    assert secret not in dump and PIN not in dump
    mode = stat.S_IMODE(os.stat(auth.secrets.path).st_mode)
    assert mode == 0o600
    assert json.loads(auth.secrets.path.read_text())["nv01"] == secret
    assert [r["subject"] for r in journal(ledger, action="staff.enrolled")] == ["nv01"]


def test_pin_hash_round_trip_and_salt():
    a, b = hash_pin("482913", n=2 ** 10), hash_pin("482913", n=2 ** 10)
    assert a != b                                   # per-user salt
    assert check_pin("482913", a) and not check_pin("482914", a)
    assert not check_pin("482913", "garbage")


def test_weak_pin_and_bad_id_refused(auth):
    with pytest.raises(StaffAuthError) as e:
        auth.add("nv02", "Trần Thị Mai", "111111")
    assert e.value.reason == "pin.weak"
    with pytest.raises(StaffAuthError) as e:
        auth.add("nv 02", "Trần Thị Mai", PIN)
    assert e.value.reason == "id.format"


def test_sign_in_journals_and_resets(auth, enrolled, clock, ledger):
    session = auth.sign_in("nv01", PIN, code_now(auth, clock))
    assert session.role == "staff" and session.actor == "staff:nv01"
    assert session.name == "Lê Văn Nam"
    rows = journal(ledger, action="staff.signin")
    assert len(rows) == 1 and rows[0]["actor"] == "staff:nv01"
    assert outbox(ledger, "staff.signin")


def test_totp_replay_refused(auth, enrolled, clock, ledger):
    code = code_now(auth, clock)
    auth.sign_in("nv01", PIN, code)
    clock.advance(5)                                  # same 30 s step
    with pytest.raises(StaffAuthError) as e:
        auth.sign_in("nv01", PIN, code)
    assert e.value.reason == "wrong"
    failed = journal(ledger, action="staff.signin_failed")
    assert failed[-1]["reason"] == "code already used"
    # an older step (still inside the ±1 window) is refused too
    clock.advance(30)
    previous = code_now(auth, clock, offset_steps=-1)
    assert previous == code
    with pytest.raises(StaffAuthError):
        auth.sign_in("nv01", PIN, previous)
    # the next step's code works once
    auth.sign_in("nv01", PIN, code_now(auth, clock))


def test_one_step_of_drift_accepted_two_refused(auth, enrolled, clock):
    auth.sign_in("nv01", PIN, code_now(auth, clock, offset_steps=1))
    clock.advance(120)
    with pytest.raises(StaffAuthError):
        auth.sign_in("nv01", PIN, code_now(auth, clock, offset_steps=-2))


def test_lockout_after_five_failures(auth, enrolled, clock, ledger):
    for i in range(4):
        with pytest.raises(StaffAuthError) as e:
            auth.sign_in("nv01", "000000", code_now(auth, clock))
        assert e.value.reason == "wrong" and e.value.details["tries_left"] == 4 - i
    with pytest.raises(StaffAuthError) as e:
        auth.sign_in("nv01", "000000", code_now(auth, clock))
    assert e.value.reason == "locked"
    assert "13:40" in str(e.value)                    # 13:25 + 15 minutes, local time
    # the right PIN and code do not help while locked
    clock.advance(60)
    with pytest.raises(StaffAuthError) as e:
        auth.sign_in("nv01", PIN, code_now(auth, clock))
    assert e.value.reason == "locked"
    assert [r["action"] for r in journal(ledger) if r["subject"] == "nv01"][-3:] == [
        "staff.signin_failed", "staff.locked", "staff.signin_refused"]
    clock.advance(15 * 60)
    session = auth.sign_in("nv01", PIN, code_now(auth, clock))
    assert session.staff_id == "nv01"
    assert auth.account("nv01")["failures"] == 0


def test_role_restricted_sign_in(auth, enrolled, clock):
    auth.add("kt01", "Phạm Minh Tuấn", "739164", role="technician")
    with pytest.raises(StaffAuthError):
        auth.sign_in("nv01", PIN, code_now(auth, clock), role="technician")
    clock.advance(30)
    s = auth.sign_in("kt01", "739164", code_now(auth, clock, "kt01"), role="technician")
    assert s.is_technician


def test_disabled_account_and_unknown_id(auth, enrolled, clock, ledger):
    with pytest.raises(StaffAuthError) as e:
        auth.sign_in("nobody", PIN, "123456")
    assert e.value.reason == "wrong"
    auth.disable("nv01", actor="cli")
    with pytest.raises(StaffAuthError) as e:
        auth.sign_in("nv01", PIN, code_now(auth, clock) if auth.secrets.get("nv01") else "1")
    assert e.value.reason == "disabled"
    assert auth.secrets.get("nv01") is None
    assert journal(ledger, action="staff.disabled")


def test_no_pin_or_code_in_journal_or_outbox(auth, enrolled, clock, ledger):
    code = code_now(auth, clock)
    auth.sign_in("nv01", PIN, code)
    with pytest.raises(StaffAuthError):
        auth.sign_in("nv01", "592847", code_now(auth, clock, offset_steps=1))
    with pytest.raises(StaffAuthError):                 # the PIN typed in the ID field
        auth.sign_in(PIN, PIN, code_now(auth, clock, offset_steps=1))
    text = json.dumps(ledger.store.query("SELECT * FROM journal")) + \
        json.dumps(ledger.store.query("SELECT * FROM outbox"))
    assert PIN not in text and "592847" not in text and code not in text
