"""Building the round service and the service console's services from a profile and
the composition root's services."""
from __future__ import annotations

from kiosk.services.rounds.service import RoundService


def build_round_service(cfg, ledger, doors, clock, *, sms=None, results=None,
                        printer=None) -> RoundService:
    """The round service of a profile; ``sms`` is sync's SmsRouter, ``results`` its
    ResultsInbox, ``printer`` a ``hardware.ports.Printer``."""
    return RoundService(ledger=ledger, doors=doors, clock=clock,
                        round_times=cfg.rounds.times, expiry_days=cfg.rounds.expiry_days,
                        reminder_hours_before=cfg.rounds.reminder_hours_before, sms=sms,
                        results=results, printer=printer, kiosk_id=cfg.kiosk.id,
                        kiosk_name=cfg.kiosk.name, office=cfg.kiosk.office,
                        office_address=cfg.kiosk.office_address, hotline=cfg.kiosk.hotline)


class StaffServices:
    """What the service console needs, built from the kiosk's services in one call:
    ``cfg``, ``clock``, ``staff_auth``, ``rounds``, ``diagnostics``, ``code_reader``."""

    def __init__(self, cfg, clock, staff_auth, rounds, diagnostics, code_reader=None):
        self.cfg, self.clock = cfg, clock
        self.staff_auth, self.rounds, self.diagnostics = staff_auth, rounds, diagnostics
        self.code_reader = code_reader

    def close(self) -> None:
        self.rounds.close()


def build_staff_services(services, *, expiry_every_s: float | None = 60.0) -> StaffServices:
    """From the composition root's services (cfg, clock, ledger, doors, printer, scanner,
    code_reader, modem, lock_bank, sync, device_health): staff sign-in, rounds (with the
    expiry check started every ``expiry_every_s``; None: not started) and diagnostics."""
    from kiosk.auth.staff import build_staff_auth
    from kiosk.services.diagnostics import build_diagnostics
    cfg, clock, ledger = services.cfg, services.clock, services.ledger
    get = lambda name: getattr(services, name, None)  # noqa: E731
    sync = get("sync")
    rounds = build_round_service(cfg, ledger, services.doors, clock,
                                 sms=getattr(sync, "sms", None),
                                 results=getattr(sync, "results", None),
                                 printer=get("printer"))
    diagnostics = build_diagnostics(cfg, ledger, clock, lock_bank=get("lock_bank"),
                                    printer=get("printer"), scanner=get("scanner"),
                                    code_reader=get("code_reader"), modem=get("modem"),
                                    doors=services.doors, sync=sync,
                                    health=get("device_health"))
    if expiry_every_s:
        rounds.start_expiry(expiry_every_s)
    return StaffServices(cfg, clock, build_staff_auth(cfg, ledger, clock), rounds,
                         diagnostics, get("code_reader"))
