"""The citizen service: one object with every citizen use case, built from the steps of
each flow (identity, deposit, payment, online, receipt, pickup, status) and the door
events that drive them."""
from __future__ import annotations

import logging
import threading
from typing import Callable

from hardware.ports import DoorState
from kiosk.auth.otp import OtpService
from kiosk.services.citizen.catalog import Catalog
from kiosk.services.citizen.deposit import Deposit, DepositSteps
from kiosk.services.citizen.errors import CitizenError
from kiosk.services.citizen.identity import IdentitySteps
from kiosk.services.citizen.online import OnlineSteps
from kiosk.services.citizen.payment import PayeeAccount, PaymentSteps
from kiosk.services.citizen.pickup import PickupSteps
from kiosk.services.citizen.ports import (DoorPort, PaymentPort, ReceiptPort, ScannerPort,
                                          SmsPort, UploadPort)
from kiosk.services.citizen.promise import PromiseSteps
from kiosk.services.citizen.receipt import ReceiptSteps
from kiosk.services.citizen.status import StatusSteps

log = logging.getLogger(__name__)


class CitizenService(IdentitySteps, DepositSteps, PaymentSteps, OnlineSteps, ReceiptSteps,
                     PickupSteps, StatusSteps, PromiseSteps):
    """The citizen's use cases. Blocking calls are marked; the UI runs them off-thread."""

    def __init__(self, *, ledger, clock, pii, otp: OtpService, doors: DoorPort,
                 catalog: Catalog, sms: SmsPort | None = None,
                 payments: PaymentPort | None = None, receipts: ReceiptPort | None = None,
                 scanner: ScannerPort | None = None, uploads: UploadPort | None = None,
                 hotline: str = "1022", kiosk_id: str = "", office: str = "",
                 payee: PayeeAccount | None = None,
                 pdf_maker: Callable[[list], bytes] | None = None, power=None,
                 ecopies=None, appointments=None, offices: dict | None = None):
        self.ledger, self.clock, self.pii, self.otp = ledger, clock, pii, otp
        self.doors, self.catalog, self.sms = doors, catalog, sms
        self.payments, self.receipts, self.scanner, self.uploads = \
            payments, receipts, scanner, uploads
        self.hotline, self.kiosk_id, self.office = hotline, kiosk_id, office
        self.payee = payee or PayeeAccount()
        self.pdf_maker = pdf_maker
        self.power = power          # PowerGuard: on battery, no new transaction starts
        self.ecopies = ecopies      # page checks + signed e-copies (kiosk.digitise)
        self.appointments = appointments    # AppointmentBook: the date to come back
        self.offices = offices or {"vi": office}     # lang → this ward centre's name
        self._lock = threading.RLock()
        self._waiting: dict[str, Deposit] = {}     # tray → deposit waiting for its door
        self._pickups: dict[str, dict] = {}        # tray → result opened, not finished
        self._door_listeners: list[Callable[[str, DoorState, bool | None], None]] = []
        self._completed_listeners: list[Callable[[Deposit], None]] = []
        doors.add_listener(self._on_door)

    def start_deposit(self, procedure_code: str, lang: str = "vi") -> Deposit:
        return Deposit(self.catalog.get(procedure_code), lang=lang)

    def _check_power(self) -> None:
        if self.power is not None and not self.power.accepting:
            raise CitizenError("power.closed", "the kiosk runs on battery and shuts down")

    def door(self, tray_id: str) -> DoorState:
        return self.doors.door(tray_id)

    def add_door_listener(self, callback) -> None:
        """``callback(tray_id, DoorState, occupied)`` from a device thread."""
        self._door_listeners.append(callback)

    def add_completed_listener(self, callback) -> None:
        """``callback(deposit)`` once a deposit is recorded (from a device thread)."""
        self._completed_listeners.append(callback)

    def _on_door(self, tray_id: str, state: DoorState, occupied: bool | None) -> None:
        if state in (DoorState.CLOSED, DoorState.LOCKED):
            with self._lock:
                deposit = self._waiting.get(tray_id)
            if deposit is not None:
                try:
                    self.finish_deposit(deposit, occupied)
                except Exception:
                    log.exception("recording the deposit in tray %s failed", tray_id)
            with self._lock:
                pending = self._pickups.get(tray_id)
            if pending is not None and pending["left"]:
                try:
                    self._settle_left_pickup(tray_id, occupied)
                except Exception:
                    log.exception("settling the left pickup in tray %s failed", tray_id)
        for cb in list(self._door_listeners):
            try:
                cb(tray_id, state, occupied)
            except Exception:
                log.exception("door listener failed")
