"""Fixtures of the sync tests: the city simulator on a free loopback port, a real
kiosk database with the sync tables, and a sync service wired by hand (the clock, store
and ledger are the shared ones of tests/support/fixtures.py)."""
from __future__ import annotations

import random
import threading

import pytest

from sim.city import CitySim
from sync.backoff import Backoff
from sync.catalog import CatalogCache
from sync.client import CityClient
from sync.heartbeat import HeartbeatBuilder
from sync.outbox import OutboxSender
from sync.payments import CityPayments
from sync.results import ResultsInbox
from sync.schema import ensure_schema
from sync.sms import SmsRouter
from sync.uploads import UploadQueue
from sync.worker import SyncService

TOKEN = "tok-test-0123456789"
KIOSK = "TEST-01"          # the kiosk id of the shared ledger fixture
PHONE = "0912345678"       # Trần Thị Mai, a made-up citizen


@pytest.fixture
def city(tmp_path):
    # transport tests send made-up bytes: the e-copy check has tests of its own
    sim = CitySim(tmp_path / "city" / "city.db", seed=11, tokens={TOKEN: KIOSK},
                  processing_s=3600, verify_uploads=False).start()
    yield sim
    sim.stop()


@pytest.fixture
def sync_store(store):
    ensure_schema(store)
    return store


@pytest.fixture
def client(city):
    c = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=5)
    yield c
    c.close()


class RecordingModem:
    """The GSM modem edge (hardware.ports.SmsModem): records what it would send."""

    def __init__(self, fail: bool = False):
        self.sent: list[tuple[str, str]] = []
        self.fail = fail
        self._lock = threading.Lock()

    def send(self, number: str, text: str) -> str:
        if self.fail:
            raise OSError("modem does not answer AT")
        with self._lock:
            self.sent.append((number, text))
            return str(len(self.sent))

    def health(self):
        return None

    def close(self) -> None:
        pass


def make_service(store, ledger, clock, client, tmp_path, *, modem=None, batch_size=50,
                 base_s=0.05, cap_s=0.5, heartbeat_s=60.0, results_poll_s=60.0,
                 idle_s=0.05, health=None) -> SyncService:
    ensure_schema(store)
    outbox = OutboxSender(store, client, clock, batch_size=batch_size)
    return SyncService(
        client=client, store=store, ledger=ledger, clock=clock, outbox=outbox,
        results=ResultsInbox(store, client, clock, ledger.pii),
        catalog=CatalogCache(store, client, clock),
        uploads=UploadQueue(store, client, clock, tmp_path / "uploads"),
        heartbeat=HeartbeatBuilder(KIOSK, ledger, outbox, clock, health),
        sms=SmsRouter(store, client, clock, modem), payments=CityPayments(client),
        backoff=Backoff(base_s, cap_s, random.Random(5)), heartbeat_s=heartbeat_s,
        results_poll_s=results_poll_s, idle_s=idle_s)
