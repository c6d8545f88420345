"""What the citizen use cases need from other areas: small ports wired in kiosk/app.py,
so the same code runs with the simulators and with the real kiosk."""
from __future__ import annotations

from typing import Callable, Protocol

from hardware.ports import DoorState, PrinterState


class DoorPort(Protocol):
    def open(self, tray_id: str, *, actor: str, reason: str, txn: str) -> bool: ...
    def free_tray(self, size: str) -> str | None: ...
    def add_listener(self, callback: Callable[[str, DoorState, bool | None], None]) -> None: ...
    def door(self, tray_id: str) -> DoorState: ...


class CatalogPort(Protocol):
    def procedures(self) -> list[dict]: ...


class SmsPort(Protocol):
    def send(self, phone: str, text: str, *, key: str) -> object: ...


class PaymentPort(Protocol):
    def create(self, *, reference: str, amount: int, purpose: str,
               dossier_code: str | None = None) -> dict:
        """Returns at least ``{"id": ..., "payload": <EMVCo text>}``; raises when offline."""

    def status(self, payment_id: str) -> str:
        """'pending', 'paid', 'failed' or 'expired'."""


class ReceiptPort(Protocol):
    def print_receipt(self, receipt: dict, *, txn: str) -> None:
        """Print one receipt; raises when the printer cannot (paper out, offline...)."""

    def state(self) -> PrinterState: ...


class ScannerPort(Protocol):
    def scan(self, txn: str) -> list: ...


class UploadPort(Protocol):
    def upload(self, dossier_code: str, pdf: bytes, *, key: str) -> None: ...
