"""What a citizen can do at the machine, with no Qt in sight.

The screens call these use cases (from a worker thread when they may block) and show
what comes back; every refusal is a ``CitizenError`` whose ``reason`` is a stable key the
UI turns into plain words in the citizen's language. Devices and the city link are
small ports passed in, so the same code runs with the simulators and the real kiosk.

Deposit, in order: choose a procedure → identify (CCCD QR or typed ID) → phone → SMS
code → optional scan → fee by VietQR → a tray of the right size is reserved and opens →
the deposit is recorded only when the door is shut again (and, where the board has an
item sensor, something is inside) → receipt on paper and by SMS. Backing out (cancel or
idle) before the door closes releases the tray and cancels the draft.

The use cases live by flow: ``identity`` (ID, phone, SMS code), ``deposit`` (session and
tray), ``payment``, ``online`` (scan and online submission), ``receipt``, ``pickup`` and
``status``; ``service`` puts them together as ``CitizenService``.
"""
from __future__ import annotations

from hardware.ports import DoorState, PrinterState
from kiosk.services.citizen.catalog import LANGS, Catalog, Procedure, fold
from kiosk.services.citizen.deposit import Deposit
from kiosk.services.citizen.errors import ACTOR, CitizenError
from kiosk.services.citizen.identity import parse_id_text
from kiosk.services.citizen.payment import PayeeAccount
from kiosk.services.citizen.ports import (CatalogPort, DoorPort, PaymentPort, ReceiptPort,
                                          ScannerPort, SmsPort, UploadPort)
from kiosk.services.citizen.receipt import PRIVACY_NOTICE
from kiosk.services.citizen.service import CitizenService

__all__ = ["CitizenService", "CitizenError", "Catalog", "Procedure", "Deposit", "DoorState",
           "PrinterState", "fold", "parse_id_text"]
__all__ += ["ACTOR", "LANGS", "PRIVACY_NOTICE", "PayeeAccount", "Procedure", "CatalogPort",
            "DoorPort", "PaymentPort", "ReceiptPort", "ScannerPort", "SmsPort", "UploadPort"]
