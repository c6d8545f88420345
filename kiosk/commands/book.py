"""Which city commands this kiosk has seen, so that each runs at most once, even across
a restart or a power cut.

A command is claimed (row ``running`` + journal row ``command.received``) in one durable
transaction before anything is done; the outcome (``done`` / ``refused``) and the
acknowledgement event for the city go in one transaction afterwards. A command found
``running`` at start was cut short by a restart: it is never run again, and the city is
told so (``command.refused``, reason ``interrupted``), to check what it did.
"""
from __future__ import annotations

import json

from kiosk.clock import utc_iso
from kiosk.store import register_migrations

ACTOR = "city"

register_migrations([("fleet-0001-commands", [
    """CREATE TABLE city_commands (
        id TEXT PRIMARY KEY, command TEXT NOT NULL, args TEXT, received_at TEXT NOT NULL,
        status TEXT NOT NULL, reason TEXT, finished_at TEXT)""",
])])


class CommandBook:
    def __init__(self, ledger, clock):
        self.ledger, self.store, self.clock = ledger, ledger.store, clock
        self.store.migrate()

    def seen(self, command_id: str) -> dict | None:
        return self.store.query_one("SELECT * FROM city_commands WHERE id = ?", (command_id,))

    def claim(self, cmd) -> bool:
        """Record the command as running; False when its id was seen before (replay)."""
        with self.ledger.transaction():
            if self.seen(cmd.id) is not None:
                return False
            self.store.execute(
                "INSERT INTO city_commands(id, command, args, received_at, status) "
                "VALUES (?, ?, ?, ?, 'running')",
                (cmd.id, cmd.name, json.dumps(_safe_args(cmd.args), ensure_ascii=False),
                 utc_iso(self.clock.now())))
            self.ledger.event("command.received", actor=ACTOR, subject=cmd.id,
                              reason=cmd.name, data={"command": cmd.name,
                                                     "args": _safe_args(cmd.args)},
                              to_city=False)
        return True

    def finish(self, command_id: str, name: str, status: str, reason: str = "",
               result: dict | None = None, *, then=None) -> None:
        """Outcome + acknowledgement event, one transaction; ``then()`` (the command's
        own state change) joins it when given, so both land or neither."""
        with self.ledger.transaction():
            if then is not None:
                then()
            self.store.execute("UPDATE city_commands SET status = ?, reason = ?, "
                               "finished_at = ? WHERE id = ?",
                               (status, reason, utc_iso(self.clock.now()), command_id))
            self._ack(command_id, name, status, reason, result)

    def refuse_unclaimed(self, command_id: str, name: str, reason: str, message: str) -> None:
        """A command refused before it was claimed (bad signature, expired, replayed...):
        journalled and reported, never recorded as seen (a forged copy must not block
        the real command with the same id)."""
        self._ack(command_id, name, "refused", reason, {"message": message})

    def _ack(self, command_id, name, status, reason, result) -> None:
        data = {"id": command_id, "command": name, "reason": reason}
        if result:
            data["result"] = result
        self.ledger.event("command.done" if status == "done" else "command.refused",
                          actor=ACTOR, subject=command_id, reason=reason or status,
                          data=data)

    def interrupted(self) -> list[str]:
        """Commands cut short by a restart: marked refused ('interrupted'), reported."""
        rows = self.store.query("SELECT id, command FROM city_commands "
                                "WHERE status = 'running' ORDER BY received_at")
        for row in rows:
            if row["command"] == "kiosk.restart":      # the restart was the outcome
                self.finish(row["id"], row["command"], "done", "restarted")
                continue
            self.finish(row["id"], row["command"], "refused", "interrupted",
                        {"message": "the kiosk restarted while running this command; it "
                                    "is not run again: check its effect and resend"})
        return [r["id"] for r in rows]

    def recent(self, limit: int = 50) -> list[dict]:
        return self.store.query("SELECT * FROM city_commands ORDER BY received_at DESC "
                                "LIMIT ?", (limit,))


def _safe_args(args) -> dict:
    """Arguments as journalled: a help code is never written down."""
    if not isinstance(args, dict):
        return {}
    return {k: ("******" if k == "help_code" else v) for k, v in args.items()}
