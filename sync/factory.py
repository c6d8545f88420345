"""``build_sync``: the sync service for one kiosk, from its profile."""
from __future__ import annotations

from sync.backoff import Backoff
from sync.catalog import CatalogCache
from sync.client import CityClient
from sync.heartbeat import HeartbeatBuilder
from sync.outbox import OutboxSender
from sync.payments import CityPayments
from sync.results import ResultsInbox
from sync.schema import ensure_schema
from sync.sms import SmsRouter
from sync.token import read_token
from sync.uploads import UploadQueue
from sync.vneid import CityVneid
from sync.worker import SyncService


def build_sync(cfg, ledger, store, clock, modem=None, *, health=None,
               token: str | None = None) -> SyncService:
    """A ``SyncService`` (not started: call ``.start()``). ``modem`` is the GSM fallback
    (``hardware.ports.SmsModem``); ``health()`` returns the devices' ``DeviceHealth`` for
    the heartbeat. The token comes from ``cfg.secrets.city_token_file`` unless given."""
    ensure_schema(store)
    if token is None:
        token = read_token(cfg.path(cfg.secrets.city_token_file))
    city = cfg.city
    client = CityClient(city.base_url, token, cfg.kiosk.id, timeout_s=city.timeout_s)
    # SMS and payments are asked for from the UI's worker threads while the sync thread
    # is busy: they get a Session of their own.
    foreground = CityClient(city.base_url, token, cfg.kiosk.id, timeout_s=city.timeout_s)
    outbox = OutboxSender(store, client, clock, batch_size=city.batch_size)
    from kiosk.version import version
    software = version()
    service = SyncService(
        client=client, store=store, ledger=ledger, clock=clock, outbox=outbox,
        results=ResultsInbox(store, client, clock, getattr(ledger, "pii", None)),
        catalog=CatalogCache(store, client, clock),
        uploads=UploadQueue(store, client, clock, cfg.path("{data_dir}/uploads")),
        heartbeat=HeartbeatBuilder(cfg.kiosk.id, ledger, outbox, clock, health, software),
        sms=SmsRouter(store, foreground, clock, modem),
        payments=CityPayments(foreground), extra_clients=[foreground],
        backoff=Backoff(city.retry_base_s, city.retry_cap_s),
        heartbeat_s=city.heartbeat_s, results_poll_s=city.results_poll_s)
    service.vneid = CityVneid(foreground)      # identification asked for from the UI
    return service
