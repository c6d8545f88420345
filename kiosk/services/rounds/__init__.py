"""What staff do at a round: collect deposits, load results, take back expired results.

Every step is a state change through the ledger (journal + outbox row for the city) and
every tray is opened through the door service (intent first, sensor confirmation). The
methods block on the lock boards; the screens call them from a worker thread.

- Collect / take back: trays open one at a time; the staff member confirms each by
  scanning the receipt QR or tapping. A tray that should hold paper and does not (or a
  wrong dossier in it), and a tray whose item sensor says full with no record, become
  incidents and the tray goes OUT_OF_SERVICE until a technician resolves it.
- Load: the dossier code is looked up in the city's results list (or typed with the
  phone number when the city is unreachable); a free tray of the right size opens; when
  the door is shut with something inside, the dossier is RESULT_LOADED with its pickup
  deadline and the citizen gets an SMS with that deadline.
- Expiry (``run_expiry``, called periodically): a reminder SMS ``reminder_hours_before``
  the deadline, then EXPIRED at the deadline.
- The round report is printed and sent to the city as one outbox event.

Where SMS go is explained in docs/staff-rounds.md: the kiosk keeps no plaintext phone,
so a message to the citizen of a stored dossier is an ``sms.request`` event the city
sends to the number it knows; a number at hand (results list, typed by staff) is used
at once through the SMS router, with the event as the fallback.

One module per part of a round: ``collect`` (collect and take back), ``load``,
``expiry``, ``sms``, ``report``; ``model`` holds the run and its steps, ``service`` puts
them together as ``RoundService`` and ``wiring`` builds it from a profile.
"""
from __future__ import annotations

from kiosk.services.rounds.model import (EXPIRY_ACTOR, SIZES, LoadStep, RoundError,
                                         RoundRun, TakeStep)
from kiosk.services.rounds.report import render_report, report_lines
from kiosk.services.rounds.service import RoundService
from kiosk.services.rounds.sms import ascii_vi, fmt_deadline
from kiosk.services.rounds.wiring import (StaffServices, build_round_service,
                                          build_staff_services)

__all__ = ["EXPIRY_ACTOR", "SIZES", "LoadStep", "RoundError", "RoundRun", "TakeStep",
           "RoundService", "StaffServices", "ascii_vi", "build_round_service",
           "build_staff_services", "fmt_deadline", "render_report", "report_lines"]
