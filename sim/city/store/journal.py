"""The journal anchor's tables (logic in ``sim/city/journal.py``)."""
from __future__ import annotations

from sim.city import journal
from sim.city.clock import iso
from sim.city.store.core import StoreCore


class JournalStore(StoreCore):
    SCHEMA = journal.SCHEMA

    @property
    def journal(self) -> journal.JournalWatch:
        """Used inside the caller's transaction (events, heartbeats) or under the lock."""
        watch = self.__dict__.get("_journal_watch")
        if watch is None:
            watch = self.__dict__["_journal_watch"] = journal.JournalWatch(
                self.conn, lambda: iso(self.clock.now()))
        return watch
