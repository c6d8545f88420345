"""The city simulator's own SQLite: events, dossiers, results, uploads, SMS, payments.

``CityDb`` is the sum of one store module per part of the contract (``sim/city/store/``);
time comes from ``SimClock`` so a test or the technician can fast-forward processing.
To add a table, see ``sim/city/store/__init__.py``: one import line and one base line
below, each in alphabetical order.
"""
from __future__ import annotations

from sim.city.clock import SimClock, iso, parse_iso
from sim.city.store.core import StoreCore
from sim.city.store.ecopies import EcopyStore
from sim.city.store.events import KIND_RE, PHONE_RE, EventRejected, EventStore
from sim.city.store.heartbeats import HeartbeatStore
from sim.city.store.journal import JournalStore
from sim.city.store.payments import PAYMENT_ACCOUNT, PAYMENT_BANK_BIN, PaymentStore
from sim.city.store.results import ResultStore, mask_name
from sim.city.store.sms import SmsStore
from sim.city.store.uploads import UploadStore

__all__ = ["CityDb", "SimClock", "iso", "parse_iso", "mask_name", "KIND_RE", "PHONE_RE",
           "EventRejected", "PAYMENT_ACCOUNT", "PAYMENT_BANK_BIN", "SCHEMA"]


class CityDb(
    EcopyStore,
    EventStore,
    HeartbeatStore,
    JournalStore,
    PaymentStore,
    ResultStore,
    SmsStore,
    UploadStore,
    StoreCore,
):
    """``CityDb(path, clock, processing_s=60.0, sms_inbox=None)``: one connection
    guarded by a lock (the simulator serves a handful of kiosks, not a city)."""


SCHEMA = CityDb.schema()
