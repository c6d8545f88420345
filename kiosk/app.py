"""The composition root: the one place where drivers, the store, sync and the use cases
are built from a profile and wired together.

A device that cannot be opened does not stop the kiosk: it is reported (diagnostics,
heartbeat) and the part of the service that needs it says so to the citizen. Nothing
here touches a device before the profile has been validated completely.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from hardware.ports import DeviceHealth, DeviceStatus
from kiosk.clock import Clock, SystemClock
from kiosk.config import KioskConfig
from kiosk.pii import Pii
from kiosk.secrets import read_secret
from kiosk.services.ledger import Ledger
from kiosk.services.recovery import recover
from kiosk.store import Store

log = logging.getLogger(__name__)


@dataclass
class KioskServices:
    cfg: KioskConfig
    clock: Clock
    store: Store
    ledger: Ledger
    pii: Pii
    lock_bank: object = None
    doors: object = None
    printer: object = None
    receipts: object = None
    scanner: object = None
    code_reader: object = None
    modem: object = None
    sync: object = None
    citizen: object = None
    sessions: object = None     # kiosk.updates.sessions.Sessions: updates wait for them
    otp: object = None
    alerts: object = None
    upkeep: object = None
    power: object = None
    metrics: object = None
    help_desk: object = None
    commands: object = None           # the command poller (sync/commands.py)
    command_runner: object = None
    overrides: object = None
    on_restart: object = None         # set by 'kiosk run': how to restart the process
    ecopies: object = None           # kiosk.digitise.jobs.EcopyQueue
    vneid: object = None
    appointments: object = None
    recovery: dict = field(default_factory=dict)
    startup_problems: dict = field(default_factory=dict)   # device → what went wrong
    _closers: list = field(default_factory=list)

    def device_health(self) -> list[DeviceHealth]:
        """Every device's status for diagnostics and the city heartbeat."""
        out: list[DeviceHealth] = []
        for name, dev in (("locks", self.lock_bank), ("printer", self.printer),
                          ("scanner", self.scanner), ("code_reader", self.code_reader),
                          ("modem", self.modem)):
            if dev is None:
                problem = self.startup_problems.get(name)
                if problem:
                    out.append(DeviceHealth(name, DeviceStatus.OFFLINE, problem,
                                            "see 'kiosk doctor' for what to check"))
                continue
            try:
                h = dev.health()
            except Exception as exc:   # a driver must never break the health report
                h = DeviceHealth(name, DeviceStatus.HWERROR, f"health check failed: {exc}")
            out.extend(h if isinstance(h, list) else [h])
        return out   # disk space is the alert book's (alerts.watch_disk), not a device

    def heartbeat_health(self) -> list[DeviceHealth]:
        """Devices plus the alerts raised, for the city's heartbeat."""
        alerts = self.alerts.as_health() if self.alerts is not None else []
        return self.device_health() + alerts

    def request_restart(self) -> None:
        """A city ``kiosk.restart``: let the acknowledgement leave, then restart."""
        if self.sync is not None:
            self.sync.drain(timeout_s=3.0)
        if self.on_restart is None:
            raise RuntimeError("this kiosk process has no way to restart itself")
        self.on_restart()

    def start(self) -> "KioskServices":
        if self.doors is not None:
            self.doors.start()
        if self.sync is not None:
            self.sync.start()
        if self.upkeep is not None:
            self.upkeep.start()
        if self.power is not None:
            self.power.start()
        if self.metrics is not None:
            try:
                self.metrics.start()
                self._closers.append(self.metrics.close)
            except OSError as exc:     # the kiosk serves citizens without metrics
                self.startup_problems["metrics"] = str(exc)
                log.warning("%s", exc)
        if self.commands is not None:
            self.commands.start()
        if self.ecopies is not None:
            self.ecopies.start()
        return self

    def close(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception as exc:
                log.warning("closing %s: %s", closer, exc)
        self._closers.clear()
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _try(services: KioskServices, name: str, build):
    try:
        dev = build()
    except Exception as exc:
        services.startup_problems[name] = str(exc)
        log.warning("%s not available at start: %s", name, exc)
        return None
    if dev is not None and hasattr(dev, "close"):
        services._closers.append(dev.close)
    return dev


def build_services(cfg: KioskConfig, *, clock: Clock | None = None,
                   create_secrets: bool = False) -> KioskServices:
    """Everything the kiosk needs, from a validated profile. Call ``.start()`` next."""
    from hardware.codereader import build_code_reader
    from hardware.lockboard.factory import build_lock_bank
    from hardware.modem import build_modem
    from hardware.printer import build_printer
    from hardware.scanner import build_scanner
    from hardware.scanner.pdf import pages_to_pdf
    from kiosk.alerts import build_alert_book
    from kiosk.auth.otp import OtpService
    from kiosk.services.upkeep import Upkeep
    from kiosk.services.citizen import Catalog, CitizenService
    from kiosk.services.doors import build_door_service
    from kiosk.services.receipt_desk import ReceiptDesk
    from sync import build_sync

    clock = clock or SystemClock(cfg.kiosk.timezone)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    key = read_secret(cfg.path(cfg.secrets.hmac_key_file), create=create_secrets)
    if create_secrets:
        read_secret(cfg.path(cfg.secrets.city_token_file), create=True)
    pii = Pii(key)
    store = Store.open(cfg.db_path)
    ledger = Ledger(store, clock, pii, kiosk_id=cfg.kiosk.id)
    ledger.sync_trays(cfg.trays())
    s = KioskServices(cfg=cfg, clock=clock, store=store, ledger=ledger, pii=pii)
    s.recovery = recover(ledger)

    s.lock_bank = _try(s, "locks", lambda: build_lock_bank(cfg))
    if s.lock_bank is not None:
        s.doors = build_door_service(cfg, ledger, s.lock_bank, clock)
        s._closers.append(s.doors.close)
    s.printer = _try(s, "printer", lambda: build_printer(cfg))
    s.scanner = _try(s, "scanner", lambda: build_scanner(cfg))
    s.code_reader = _try(s, "code_reader", lambda: build_code_reader(cfg))
    s.modem = _try(s, "modem", lambda: build_modem(cfg))
    s.receipts = ReceiptDesk(s.printer, clock, kiosk_name=cfg.kiosk.name,
                             office=cfg.kiosk.office, hotline=cfg.kiosk.hotline)
    s.sync = build_sync(cfg, ledger, store, clock, s.modem, health=s.heartbeat_health)
    s._closers.append(s.sync.stop)
    s.alerts = build_alert_book(cfg, ledger, clock, doors=s.doors, health=s.device_health,
                                printer_state=s.receipts.state if s.printer else None)
    s.upkeep = Upkeep(s.alerts)
    s.sessions = _sessions(cfg)
    s._closers.append(s.upkeep.close)
    if cfg.gpio.ups_on_battery_pin is not None:
        s.power = _try(s, "ups", lambda: _power_guard(cfg, s))
    from kiosk.commands import build_commands
    from kiosk.metrics.server import build_metrics
    s.metrics = build_metrics(cfg, s)
    build_commands(cfg, s)
    s.otp = build_otp(cfg, store, clock, key, s.sync.sms.send, s.alerts)
    deposit_ecopies = None
    if cfg.digitise.enabled:
        deposit_ecopies = _try(s, "ecopies", lambda: _ecopies(cfg, s, clock))
    from kiosk.appointments import AppointmentBook, calendar_for
    from kiosk.vneid import VneidIdentifier
    appointments = AppointmentBook(store, clock, lambda: calendar_for(cfg, s.sync.catalog))
    s.appointments = appointments
    s.vneid = VneidIdentifier(getattr(s.sync, "vneid", None))
    offices = {"vi": cfg.kiosk.office, "en": cfg.kiosk.office_en or cfg.kiosk.office,
               "zh": cfg.kiosk.office_zh or cfg.kiosk.office}
    s.citizen = CitizenService(
        ledger=ledger, clock=clock, pii=pii, otp=s.otp, doors=s.doors,
        catalog=Catalog(s.sync.catalog), sms=s.sync.sms, payments=s.sync.payments,
        receipts=s.receipts, scanner=s.scanner, uploads=s.sync.uploads,
        hotline=cfg.kiosk.hotline, kiosk_id=cfg.kiosk.id, office=cfg.kiosk.office,
        pdf_maker=lambda pages: pages_to_pdf(pages, dpi=cfg.scanner.dpi), power=s.power,
        ecopies=deposit_ecopies, appointments=appointments, offices=offices)
    if deposit_ecopies is not None:
        s.citizen.add_completed_listener(deposit_ecopies.on_deposit_completed)
    return s


def _sessions(cfg: KioskConfig):
    """Open sessions hold the update gate, so an update never lands in the middle of one."""
    from kiosk.updates.gate import UpdateGate
    from kiosk.updates.runner import gate_path
    from kiosk.updates.sessions import Sessions
    return Sessions(UpdateGate(gate_path(cfg)))


def build_otp(cfg: KioskConfig, store, clock, key: bytes, send, alerts) -> OtpService:
    """Codes whose SMS counts live in the store; a spent kiosk-wide budget is an alert,
    raised at the refusal and cleared by the book once codes flow again."""
    from kiosk.auth.otp import OtpService
    from kiosk.auth.otp_limits import SMS_BUDGET_SPENT, StoreSendLog

    def spent(detail: str) -> None:
        alerts.observe(SMS_BUDGET_SPENT, cfg.kiosk.id, True, detail)

    otp = OtpService(clock=clock, key=key, send=send, limits=StoreSendLog(store),
                     on_budget_spent=spent)
    alerts.add_probe(lambda: [(SMS_BUDGET_SPENT, cfg.kiosk.id, otp.budget_spent(),
                               "the kiosk-wide SMS budget is spent")])
    return otp


def _ecopies(cfg: KioskConfig, services: KioskServices, clock: Clock):
    """Page checks at the glass, then OCR, PDF/A and signature in the background, the
    signed e-copy handed to the upload queue. Its own city client (enrolment and
    renewal run on the e-copy thread, not the sync thread's session)."""
    from kiosk.digitise import build_digitiser, build_ecopies
    from kiosk.digitise.deposit import DepositEcopies
    from sync.client import CityClient
    from sync.token import read_token

    client = CityClient(cfg.city.base_url, read_token(cfg.path(cfg.secrets.city_token_file)),
                        cfg.kiosk.id, timeout_s=cfg.city.timeout_s)
    services._closers.append(client.close)
    digitiser = build_digitiser(cfg, clock=clock, client=client)
    store = services.store

    def dossier_of_txn(txn: str) -> str | None:
        row = store.query_one("SELECT code FROM dossiers WHERE json_extract(data, '$.txn') "
                              "= ?", (txn,))
        return row["code"] if row else None

    services.ecopies = build_ecopies(cfg, digitiser, services.sync.uploads,
                                     ledger=services.ledger, resolve_txn=dossier_of_txn)
    services._closers.append(services.ecopies.stop)
    return DepositEcopies(digitiser, services.ecopies, kiosk_id=cfg.kiosk.id, clock=clock)


def _power_guard(cfg: KioskConfig, services: KioskServices):
    """UPS on battery: refuse new transactions, let the ones in hand finish (no tray left
    reserved, unlocking or open), flush the outbox while the link holds, power off."""
    from hardware.lockboard.factory import pin_factory_for
    from kiosk.power import build_power_guard
    from kiosk.services.upkeep import trays_at_rest

    def finish_and_flush():
        trays_at_rest(services.ledger, timeout_s=120)
        if services.sync is not None:
            services.sync.kick()

    return build_power_guard(cfg, ledger=services.ledger, flush=finish_and_flush,
                             pin_factory=pin_factory_for(cfg.gpio.pin_factory))
