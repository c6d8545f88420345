"""Signed remote commands from the city (docs/fleet.md): the envelope and its checks,
the book that runs each at most once, the handlers, and the hotline help code."""
from __future__ import annotations


def build_commands(cfg, services) -> None:
    """Wire the help desk (always: the help screen works offline too) and, when the
    profile pins a city key, the command runner and its poller onto ``services``."""
    from kiosk.commands.help import HelpDesk
    from kiosk.commands.overrides import Overrides
    services.help_desk = HelpDesk(services.ledger, services.clock)
    services.overrides = Overrides(services.store)
    if not cfg.commands.city_public_key or services.sync is None:
        return
    from kiosk.commands.runner import CommandRunner
    from sync.commands import build_command_poller
    runner = CommandRunner(
        ledger=services.ledger, clock=services.clock, kiosk_id=cfg.kiosk.id,
        public_key=cfg.commands.city_public_key,
        max_lifetime_s=cfg.commands.max_lifetime_s, doors=services.doors,
        sync=services.sync, help_desk=services.help_desk, overrides=services.overrides,
        restart=services.request_restart, log_dir=cfg.data_dir,
        can_restart=lambda: services.on_restart is not None)
    services.command_runner = runner
    services.commands = build_command_poller(cfg, runner)
    services._closers.append(services.commands.close)
