"""Runs the city's commands: verify, claim once, do, acknowledge.

``handle(body)`` is called by the command poller (sync/commands.py) for every command
the city delivers. Every outcome is journalled and answered with a ``command.done`` or
``command.refused`` event through the outbox, which the city reads as the
acknowledgement. Nothing here runs on the UI thread.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from hardware.ports import DoorState
from kiosk.commands import handlers
from kiosk.commands.book import CommandBook
from kiosk.commands.envelope import Refused, command_id, load_public_key, verify
from kiosk.crashpoints import crashpoint
from kiosk.models import DossierState as D, TrayState as T

log = logging.getLogger(__name__)


class CommandRunner:
    def __init__(self, *, ledger, clock, kiosk_id: str, public_key: str,
                 max_lifetime_s: float = 86400.0, doors=None, sync=None, help_desk=None,
                 overrides=None, restart: Callable[[], None] | None = None,
                 log_dir: str | Path | None = None,
                 can_restart: Callable[[], bool] = lambda: True):
        self.ledger, self.clock, self.kiosk_id = ledger, clock, kiosk_id
        self.public_key = load_public_key(public_key)
        self.max_lifetime_s = max_lifetime_s
        self.doors, self.sync, self.help_desk = doors, sync, help_desk
        self.overrides, self.restart, self.can_restart = overrides, restart, can_restart
        self.log_dir = Path(log_dir) if log_dir else None
        self.book = CommandBook(ledger, clock)
        self._lock = threading.Lock()          # one command at a time
        self._after: list[Callable] = []
        self._help: dict[str, tuple[str, str]] = {}     # tray → (dossier, txn)
        if doors is not None:
            doors.add_listener(self._on_door)
        self.interrupted = self.book.interrupted()
        if self.interrupted:
            log.warning("city commands cut short by a restart, not run again: %s",
                        self.interrupted)

    # ---- the one entry point ------------------------------------------------------------
    def handle(self, body) -> tuple[str, str]:
        """(status, reason) of one delivered command: ('done', '') or ('refused', why)."""
        with self._lock:
            return self._handle(body)

    def _handle(self, body) -> tuple[str, str]:
        cid = command_id(body)
        name = body.get("command") if isinstance(body, dict) and \
            isinstance(body.get("command"), str) else "?"
        try:
            cmd = verify(body, self.public_key, kiosk_id=self.kiosk_id,
                         now=self.clock.now(), max_lifetime_s=self.max_lifetime_s)
        except Refused as r:
            return self._refuse_unclaimed(cid, name, r)
        if cmd.name not in handlers.HANDLERS:
            return self._refuse_unclaimed(cid, name, Refused(
                "unknown_command", f"no command {cmd.name!r}; known: "
                                   f"{sorted(handlers.HANDLERS)}"))
        if not self.book.claim(cmd):
            return self._refuse_unclaimed(cid, name, Refused(
                "replayed", f"command {cid} was received before; it runs only once"))
        crashpoint("command.after_claim")
        self._after = []
        try:
            result, change = handlers.HANDLERS[cmd.name](self, cmd)
            crashpoint("command.after_run")
            self.book.finish(cmd.id, cmd.name, "done", "", result, then=change)
            crashpoint("command.after_done")
        except Refused as r:
            self._after = []
            log.warning("city command %s %s refused: %s", cid, cmd.name, r)
            self.book.finish(cmd.id, cmd.name, "refused", r.reason, {"message": r.message})
            return "refused", r.reason
        except Exception as exc:       # a bug or a device fault: refused, reported
            self._after = []
            log.exception("city command %s %s failed", cid, cmd.name)
            self.book.finish(cmd.id, cmd.name, "refused", "failed",
                             {"message": f"{type(exc).__name__}: {exc}"[:300]})
            return "refused", "failed"
        log.info("city command %s %s done", cid, cmd.name)
        for fn in self._after:
            try:
                fn()
            except Exception:
                log.exception("after city command %s", cid)
        self._after = []
        return "done", ""

    def _refuse_unclaimed(self, cid, name, r: Refused) -> tuple[str, str]:
        log.warning("city command %s (%s) refused: %s", cid, name, r)
        self.book.refuse_unclaimed(cid, name, r.reason, r.message)
        return "refused", r.reason

    # ---- what handlers use --------------------------------------------------------------
    def after_commit(self, fn: Callable) -> None:
        self._after.append(fn)

    def log_files(self) -> list[Path]:
        if self.log_dir is None:
            return []
        return sorted(self.log_dir.glob("kiosk.log*"), key=lambda p: p.name, reverse=True)

    def watch_help(self, tray: str, dossier: str, txn: str) -> None:
        self._help[tray] = (dossier, txn)

    def unwatch_help(self, tray: str) -> None:
        self._help.pop(tray, None)

    def _on_door(self, tray: str, door: DoorState, occupied) -> None:
        """A tray opened for hotline help shut again: empty → picked up; papers still
        inside, or no item sensor → the result waits in the tray as before."""
        if tray not in self._help or door not in (DoorState.CLOSED, DoorState.LOCKED):
            return
        dossier, txn = self._help.pop(tray)
        try:
            with self.ledger.transaction():
                row = self.ledger.tray(tray)
                if row["state"] != T.OPEN.value:
                    return
                if occupied is False:
                    self.ledger.move_tray(tray, T.EMPTY, actor="citizen", txn=txn,
                                          reason="result taken with hotline help",
                                          dossier_code=None, purpose=None)
                    self.ledger.move_dossier(dossier, D.PICKED_UP, actor="citizen",
                                             tray_id=None, txn=txn,
                                             reason="picked up with hotline help")
                else:
                    back = T(row["prior_state"] or T.OCCUPIED_RESULT.value)
                    self.ledger.move_tray(tray, back, actor="citizen", txn=txn,
                                          reason="door shut after hotline help; the "
                                                 "result is still in the tray")
        except Exception:
            log.exception("settling tray %s after hotline help", tray)
