"""What a round is made of: the run, the tray opened to take paper out, the result being
loaded, and the refusal a step raises."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SIZES = ("S", "M", "L")
EXPIRY_ACTOR = "system:expiry"


class RoundError(Exception):
    """A step of a round that cannot be done; ``reason`` is a stable key for the screen."""

    def __init__(self, reason: str, message: str, **details):
        super().__init__(message)
        self.reason = reason
        self.details = details


@dataclass
class RoundRun:
    """One staff member's round, from sign-in to report."""

    id: str
    label: str
    actor: str
    started_at: datetime
    collected: list = field(default_factory=list)
    loaded: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    skipped: set = field(default_factory=set)
    finished: bool = False


@dataclass
class TakeStep:
    """A tray opened for staff to take paper out (collect or take back)."""

    purpose: str                 # "collect" or "retrieve"
    tray: str
    dossier_code: str | None
    txn: str
    opened: bool
    occupied: bool | None = None  # item sensor right after opening (None: no sensor)
    done: bool = False

    @property
    def sensor_says_empty(self) -> bool:
        return self.occupied is False


@dataclass
class LoadStep:
    """A result being put into a tray; finished by the door closing."""

    code: str
    tray: str
    txn: str
    size: str
    procedure: str
    source: str                  # "results" (city list), "ledger" or "manual"
    phone: str | None = None     # plaintext, in memory only, for the SMS
    status: str = "open"         # open → loaded | empty | failed
    deadline: datetime | None = None
    sms: str = ""                # how the citizen is told: "city", "modem", "outbox"
    run: RoundRun | None = None
