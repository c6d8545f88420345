"""A full deposit and pickup through the citizen service on the simulated lock board,
a staff sign-in (one wrong PIN first) and a technician action; then no plaintext phone,
ID number, OTP or PIN anywhere in the kiosk log or the database, except in outbox rows
not yet delivered; and none at all once the city simulator has them."""
from __future__ import annotations

import json
import logging
import re

import pyotp
import pytest

from hardware.lockboard.factory import build_lock_bank
from kiosk.auth.otp import OtpService
from kiosk.auth.staff import StaffAuth, StaffAuthError
from kiosk.clock import ManualClock
from kiosk.logs import setup_logging
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import Pii
from kiosk.services.citizen import Catalog, CitizenService
from kiosk.services.doors import DoorService
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.city import CitySim
from sim.lockboard import SimLockBus
from sync.client import CityClient
from sync.outbox import OutboxSender
from sync.schema import ensure_schema
from tests.lock.conftest import board_lock, sim_profile

PHONE = "0912345678"                 # Trần Thị Mai, a made-up citizen
ID_NUMBER = "079123456789"
QR = f"{ID_NUMBER}|123456789|Trần Thị Mai|01011960|Nữ|Q6, TP.HCM|01012021"
PIN = "482915"
TOKEN = "tok-security-0123456789"
CATALOG = [{"code": "1.001193", "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
            "category": {"vi": "Hộ tịch", "en": "Civil status"}, "fee": 0, "tray_size": "M",
            "documents": {"vi": ["Tờ khai"], "en": ["Form"]}}]


class SmsEdge:
    """The SMS gateway edge: records what would be sent."""

    def __init__(self):
        self.messages: list[tuple[str, str]] = []

    def send(self, phone, text, *, key):
        self.messages.append((phone, text))
        return key

    def otp_send(self, phone, text, *, key):
        self.send(phone, text, key=key)

    def last_code(self) -> str:
        return re.search(r"\b(\d{6})\b", self.messages[-1][1]).group(1)


@pytest.fixture
def kiosk_log(tmp_path):
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    path = tmp_path / "kiosk.log"
    setup_logging(path, logging.DEBUG)
    yield path
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    root.setLevel(saved[0])
    for h in saved[1]:
        root.addHandler(h)


@pytest.fixture
def world(tmp_path, kiosk_log):
    bus = SimLockBus(tmp_path / "dev" / "lockbus-a", boards=[0, 1], seed=3)
    cfg = sim_profile(tmp_path, bus.path)
    clock = ManualClock()
    store = Store.open(tmp_path / "kiosk.db")
    ensure_schema(store)
    ledger = Ledger(store, clock, Pii(b"security-test-key-0123456789abcd"), kiosk_id="SEC-01")
    ledger.sync_trays(cfg.trays())
    bank = build_lock_bank(cfg)
    doors = DoorService(ledger, bank, clock, poll_s=2.0, busy_poll_s=0.5, confirm_s=0.3,
                        confirm_poll_s=0.05, door_open_alert_s=120)
    sms = SmsEdge()
    otp = OtpService(clock, b"security-otp-key-0123456789abcdef", sms.otp_send)
    citizen = CitizenService(ledger=ledger, clock=clock, pii=ledger.pii, otp=otp, doors=doors,
                             catalog=Catalog(CATALOG), sms=sms, kiosk_id="SEC-01")
    staff = StaffAuth(ledger, clock, tmp_path / "secrets" / "staff-totp.json", scrypt_n=2**10)
    w = type("World", (), dict(bus=bus, cfg=cfg, clock=clock, store=store, ledger=ledger,
                               doors=doors, sms=sms, citizen=citizen, staff=staff,
                               log=kiosk_log, tmp=tmp_path))
    yield w
    doors.close()
    bank.close()
    bus.close()
    store.close()


def shut(w, tray, occupied):
    board, lock = board_lock(w.cfg, tray)
    (w.bus.put_item if occupied else w.bus.remove_item)(board, lock)
    w.bus.close_door(board, lock)
    w.doors.poll_once()


def run_the_day(w) -> dict:
    """Deposit, staff sign-in and result loading, pickup, technician action."""
    secrets = {"phone": PHONE, "id": ID_NUMBER, "pin": PIN, "codes": []}
    w.doors.poll_once()
    # deposit
    dep = w.citizen.start_deposit("1.001193")
    w.citizen.identify(dep, QR)
    w.citizen.deposit_phone(dep, "0912 345 678")
    secrets["codes"].append(w.sms.last_code())
    w.citizen.deposit_code(dep, w.sms.last_code())
    tray = w.citizen.reserve_tray(dep)
    assert w.citizen.open_tray(dep)
    shut(w, tray, occupied=True)
    assert w.ledger.dossier(dep.code)["state"] == D.DEPOSITED.value
    # staff: one wrong PIN, then a good sign-in
    w.staff.add("s001", "Nguyễn Văn An", PIN, role="staff")
    secret = w.staff.secrets.get("s001")
    with pytest.raises(StaffAuthError):
        w.staff.sign_in("S001", "000000", pyotp.TOTP(secret).at(w.clock.now()))
    totp = pyotp.TOTP(secret).at(w.clock.now())
    secrets["codes"].append(totp)
    session = w.staff.sign_in("S001", PIN, totp)
    actor = session.actor
    # staff collects the deposit and loads a result that needs the ID checked
    with w.ledger.transaction():
        w.ledger.move_tray(tray, T.UNLOCKING, actor=actor, reason="collect")
    w.ledger.move_tray(tray, T.OPEN, actor=actor, reason="collect")
    w.ledger.move_tray(tray, T.EMPTY, actor=actor, reason="collected", dossier_code=None)
    w.ledger.move_dossier(dep.code, D.COLLECTED, actor=actor, reason="round 08:00",
                          tray_id=None)
    result_tray = w.doors.free_tray("M")
    with w.ledger.transaction():
        res = w.ledger.create_dossier(procedure_code="1.001193", procedure_name="Kết quả",
                                      state=D.COLLECTED, actor=actor, phone=PHONE,
                                      id_number=ID_NUMBER, needs_id_check=True)
        w.ledger.move_tray(result_tray, T.RESERVED, actor=actor, reason="load result",
                           dossier_code=res["code"], purpose="result", txn="load-1")
    assert w.doors.open(result_tray, actor=actor, reason="load result", txn="load-1")
    board, lock = board_lock(w.cfg, result_tray)
    w.bus.put_item(board, lock)
    w.bus.close_door(board, lock)
    w.doors.poll_once()
    w.ledger.move_tray(result_tray, T.OCCUPIED_RESULT, actor=actor, reason="result loaded")
    w.ledger.move_dossier(res["code"], D.RESULT_LOADED, actor=actor, reason="result loaded",
                          tray_id=result_tray)
    w.staff.sign_out(session)
    # pickup
    challenge = w.citizen.send_code("+84 912 345 678")
    secrets["codes"].append(w.sms.last_code())
    w.citizen.check_code(challenge, w.sms.last_code())
    (found,) = w.citizen.results_for(PHONE)
    w.citizen.check_id_for(found, QR)
    found["_id_checked"] = True
    assert w.citizen.open_result(found, "pick-1")
    shut(w, result_tray, occupied=False)
    w.citizen.finish_pickup(found, "pick-1")
    assert w.ledger.dossier(res["code"])["state"] == D.PICKED_UP.value
    # a technician puts a tray out of service
    w.ledger.move_tray("A20", T.OUT_OF_SERVICE, actor="technician:t01",
                       reason="latch sticks; part ordered")
    logging.getLogger("kiosk.test").info("day done for %s, ID %s, code %s", PHONE,
                                         ID_NUMBER, secrets["codes"][0])
    return secrets


def forms(secrets: dict) -> list[str]:
    p = secrets["phone"]
    out = [p, p[1:], "+84" + p[1:], "84" + p[1:], f"{p[:4]} {p[4:7]} {p[7:]}",
           secrets["id"], secrets["pin"]]
    return out + secrets["codes"]


def rows_with(store, needles, *, skip_undelivered_outbox: bool) -> list[str]:
    hits = []
    tables = [r["name"] for r in store.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        sql = f"SELECT * FROM {table}"
        if table == "outbox" and skip_undelivered_outbox:
            sql += " WHERE delivered_at IS NOT NULL"
        for row in store.query(sql):
            text = json.dumps(row, ensure_ascii=False, default=str)
            hits += [f"{table}: {n!r} in {text[:160]}" for n in needles if n in text]
    return hits


def test_no_plaintext_personal_data(world):
    w = world
    secrets = run_the_day(w)
    needles = forms(secrets)
    assert len(set(secrets["codes"])) >= 2
    log_text = w.log.read_text("utf-8")
    assert "day done for" in log_text                   # the log was written
    assert [n for n in needles if n in log_text] == []
    assert rows_with(w.store, needles, skip_undelivered_outbox=True) == []
    # the undelivered outbox carries the phone for the city's SMS, nothing else secret
    undelivered = " ".join(r["payload"] for r in w.store.query(
        "SELECT payload FROM outbox WHERE delivered_at IS NULL"))
    assert PHONE in undelivered
    assert not [c for c in secrets["codes"] + [PIN] if c in undelivered]
    # delivered to the city: then the plaintext is gone from the whole database
    city = CitySim(w.tmp / "city" / "city.db", seed=5, tokens={TOKEN: "SEC-01"}).start()
    try:
        with CityClient(city.api_url, TOKEN, "SEC-01", timeout_s=5) as client:
            sender = OutboxSender(w.store, client, w.clock, batch_size=50)
            for _ in range(50):
                if sender.depth() == 0:
                    break
                sender.send_batch()
        assert sender.depth() == 0
    finally:
        city.stop()
    assert rows_with(w.store, needles, skip_undelivered_outbox=False) == []


def test_every_staff_and_technician_action_is_journalled(world):
    w = world
    run_the_day(w)
    w.staff.disable("s001", actor="technician:t01", reason="left the office")
    journal = w.store.query("SELECT actor, action, subject FROM journal ORDER BY seq")
    actions = {(r["actor"], r["action"]) for r in journal}
    assert ("kiosk", "staff.signin_failed") in actions
    assert ("staff:s001", "staff.signin") in actions
    assert ("staff:s001", "staff.signout") in actions
    assert any(a == "cli" and act == "staff.enrolled" for a, act in actions)
    assert ("technician:t01", "tray.state") in actions
    assert ("technician:t01", "staff.disabled") in actions
    staff_moves = [r for r in journal if r["actor"] == "staff:s001"]
    assert {r["action"] for r in staff_moves} >= {"tray.state", "dossier.state"}
    # every tray's last change is in the journal under the same actor
    moves = {(r["actor"], r["subject"]) for r in journal if r["action"] == "tray.state"}
    for t in w.ledger.trays():
        if t["actor"]:
            assert (t["actor"], t["id"]) in moves, t
    assert all(r["actor"] for r in journal)
