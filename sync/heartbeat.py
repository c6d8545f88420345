"""What the kiosk tells the city every ``city.heartbeat_s``: it is alive, how its devices
are, how much is waiting to be sent, and the head of its journal (so the office can see
that nothing was cut from the chain)."""
from __future__ import annotations

import logging
from datetime import timezone
from typing import Callable, Iterable

log = logging.getLogger(__name__)


def device_list(health: Iterable) -> list[dict]:
    out = []
    for h in health:
        status = getattr(h, "status", "unknown")
        out.append({"device": getattr(h, "device", "?"),
                    "status": getattr(status, "value", str(status)),
                    "detail": getattr(h, "detail", "")})
    return out


class HeartbeatBuilder:
    def __init__(self, kiosk_id: str, ledger, outbox, clock,
                 health: Callable[[], Iterable] | None = None, software: str = ""):
        self.kiosk_id, self.ledger, self.outbox, self.clock = kiosk_id, ledger, outbox, clock
        self.health = health
        self.software = software

    def build(self) -> dict:
        try:
            devices = device_list(self.health()) if self.health else []
        except Exception as exc:   # a broken health probe must not stop the heartbeat
            log.warning("device health unavailable for the heartbeat: %s", exc)
            devices = [{"device": "health", "status": "hwerror", "detail": str(exc)[:200]}]
        head = self.ledger.journal_head()
        oldest = self.outbox.oldest_age_s()
        return {
            "kiosk_id": self.kiosk_id,
            "at": self.clock.now().astimezone(timezone.utc).isoformat(
                timespec="seconds").replace("+00:00", "Z"),
            "devices": devices,
            "outbox_depth": self.outbox.depth(),
            "oldest_undelivered_age_s": round(oldest, 1) if oldest is not None else None,
            "dead_letters": len(self.outbox.dead_letters()),
            "journal_head": {"seq": head["seq"], "hash": head["hash"]},
            "software": self.software,
        }
