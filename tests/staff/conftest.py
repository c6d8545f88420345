"""Fixtures of the staff tests: a real SQLite ledger, lock boards simulated on a pty,
the city simulator on 127.0.0.1 for results and SMS (shared fixtures:
tests/support/fixtures.py)."""
from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.auth.staff import StaffAuth
from kiosk.clock import ManualClock
from kiosk.services.doors import DoorService
from kiosk.services.rounds import RoundService
from tests.support.fixtures import board_lock, sim_profile  # noqa: F401 (re-exported)

KIOSK_ID = "TEST-STAFF"
ZONE = "Asia/Ho_Chi_Minh"


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 27, 13, 25), zone=ZONE)


@pytest.fixture
def kiosk_id():
    return KIOSK_ID


@pytest.fixture
def bus_seed():
    return 11


@pytest.fixture
def profile(tmp_path, sim_bus):
    return sim_profile(tmp_path, sim_bus.path, kiosk_id=KIOSK_ID)


@pytest.fixture
def ledger_trays(profile):
    return profile.trays()


@pytest.fixture
def doors(ledger, bank, clock):
    """The poller is not started: tests call poll_once() when a door has moved."""
    svc = DoorService(ledger, bank, clock, confirm_s=0.3, confirm_poll_s=0.05)
    yield svc
    svc.close()


@pytest.fixture
def auth(ledger, clock, tmp_path):
    # a cheaper scrypt cost keeps the suite fast; production uses n = 2**14
    return StaffAuth(ledger, clock, tmp_path / "secrets" / "staff-totp.json", scrypt_n=2 ** 10)


@pytest.fixture
def rounds(ledger, doors, clock, profile):
    return RoundService(ledger=ledger, doors=doors, clock=clock, round_times=profile.rounds.times,
                        expiry_days=3, reminder_hours_before=24, kiosk_id=KIOSK_ID,
                        kiosk_name=profile.kiosk.name, office=profile.kiosk.office,
                        office_address=profile.kiosk.office_address)


def deposit(ledger, tray: str, phone: str = "0912345678", *, procedure="2.000635") -> str:
    """A citizen's deposit as the citizen service records it (door closed, paper in)."""
    d = ledger.create_dossier(procedure_code=procedure, procedure_name="Đăng ký khai sinh",
                              state="DRAFT", actor="citizen", phone=phone)
    txn = f"dep-{d['code']}"
    ledger.move_tray(tray, "RESERVED", actor="citizen", reason="deposit", txn=txn,
                     dossier_code=d["code"], purpose="deposit")
    ledger.move_tray(tray, "UNLOCKING", actor="citizen", reason="deposit", txn=txn)
    ledger.move_tray(tray, "OPEN", actor="citizen", reason="deposit", txn=txn)
    ledger.move_tray(tray, "OCCUPIED_DEPOSIT", actor="citizen", reason="door closed", txn=txn)
    ledger.move_dossier(d["code"], "DEPOSITED", actor="citizen", reason="door closed",
                        tray_id=tray)
    return d["code"]


def journal(ledger, **where) -> list[dict]:
    rows = ledger.store.query("SELECT * FROM journal ORDER BY seq")
    return [r for r in rows if all(r.get(k) == v for k, v in where.items())]


def outbox(ledger, kind=None) -> list[dict]:
    rows = ledger.store.query("SELECT * FROM outbox ORDER BY id")
    return [r for r in rows if kind is None or r["kind"] == kind]


@pytest.fixture
def city(tmp_path):
    from sim.city import CitySim
    sim = CitySim(tmp_path / "city.db", port=0, seed=3, sms_inbox=tmp_path / "city-sms.jsonl")
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def city_client(city):
    from sync.client import CityClient
    client = CityClient(city.api_url, "test-token", KIOSK_ID, timeout_s=5)
    yield client
    client.close()


@pytest.fixture
def results_inbox(store, ledger, city_client, clock):
    from sync.results import ResultsInbox
    from sync.schema import ensure_schema
    ensure_schema(store)
    return ResultsInbox(store, city_client, clock, ledger.pii)


@pytest.fixture
def sms_router(store, city_client, clock):
    from sync.schema import ensure_schema
    from sync.sms import SmsRouter
    ensure_schema(store)
    return SmsRouter(store, city_client, clock, modem=None)


def city_sms(city) -> list[dict]:
    return city.db.query("SELECT * FROM sms ORDER BY id")
