"""The city's anchor of each kiosk's journal: the chain may only grow.

Every event carries its journal row's ``journal_seq``, ``journal_hash`` and
``journal_prev`` (the hash of the row before it), and every heartbeat the kiosk's
``journal_head``. The city keeps what it has seen, in any order of arrival, and finds
a break when a row it saw comes back with another hash, when two consecutive rows do
not chain (``journal_prev`` of row n+1 is not the hash of row n), or when a head goes
backwards or names a row it saw with another hash. A break is kept, counted and logged
as an alert; ``GET /_sim/journal?kiosk=ID`` reports the head and the breaks. Rows the
kiosk never sends to the city (to_city=False) leave gaps the city cannot link over:
they are counted as ``unlinked``.
"""
from __future__ import annotations

import logging

log = logging.getLogger("sim.city.journal")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS journal_links (
        kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, prev TEXT,
        received_at TEXT NOT NULL, PRIMARY KEY (kiosk_id, seq))""",
    """CREATE TABLE IF NOT EXISTS journal_heads (
        kiosk_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL,
        received_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS journal_breaks (
        id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, seq INTEGER, kind TEXT NOT NULL,
        detail TEXT NOT NULL, found_at TEXT NOT NULL)""",
]
ALERT = "journal.chain_broken"


class JournalWatch:
    """Works on the city database's connection, inside its transactions."""

    def __init__(self, conn, now):
        self.conn = conn                  # the tables: SCHEMA, via store/journal.py
        self.now = now                    # () -> ISO time of the city's clock

    def _break(self, kiosk: str, seq, kind: str, detail: str) -> None:
        self.conn.execute("INSERT INTO journal_breaks(kiosk_id, seq, kind, detail, found_at)"
                          " VALUES (?,?,?,?,?)", (kiosk, seq, kind, detail, self.now()))
        self.conn.execute("INSERT INTO counters VALUES ('journal_breaks', 1) ON CONFLICT(name)"
                          " DO UPDATE SET value = value + 1")
        log.warning("ALERT %s kiosk %s row %s: %s", ALERT, kiosk, seq, detail)

    def _link(self, kiosk: str, seq: int):
        return self.conn.execute("SELECT hash, prev FROM journal_links WHERE kiosk_id = ? "
                                 "AND seq = ?", (kiosk, seq)).fetchone()

    def observe_event(self, kiosk: str, payload: dict) -> None:
        seq, digest = payload.get("journal_seq"), payload.get("journal_hash")
        if not isinstance(seq, int) or not isinstance(digest, str):
            return
        prev = payload.get("journal_prev")
        seen = self._link(kiosk, seq)
        if seen is not None:
            if seen[0] != digest:
                self._break(kiosk, seq, "rewritten", f"row {seq} came back with another "
                            f"hash ({digest[:12]}…, was {seen[0][:12]}…)")
            return
        self.conn.execute("INSERT INTO journal_links VALUES (?,?,?,?,?)",
                          (kiosk, seq, digest, prev, self.now()))
        before = self._link(kiosk, seq - 1)
        if before is not None and prev is not None and before[0] != prev:
            self._break(kiosk, seq, "does_not_chain", f"row {seq} does not follow row "
                        f"{seq - 1} as the city saw it")
        after = self._link(kiosk, seq + 1)
        if after is not None and after[1] is not None and after[1] != digest:
            self._break(kiosk, seq + 1, "does_not_chain", f"row {seq + 1} does not follow "
                        f"row {seq} as the city saw it")
        head = self._head(kiosk)
        if head is not None and head[0] == seq and head[1] != digest:
            self._break(kiosk, seq, "rewritten", f"row {seq} differs from the head the "
                        "kiosk reported")

    def _head(self, kiosk: str):
        return self.conn.execute("SELECT seq, hash FROM journal_heads WHERE kiosk_id = ?",
                                 (kiosk,)).fetchone()

    def observe_head(self, kiosk: str, head) -> None:
        if not isinstance(head, dict) or not isinstance(head.get("seq"), int) \
                or not isinstance(head.get("hash"), str):
            return
        seq, digest = head["seq"], head["hash"]
        last = self._head(kiosk)
        if last is not None and (seq < last[0] or (seq == last[0] and digest != last[1])):
            self._break(kiosk, seq, "went_back", f"the head went from row {last[0]} to row "
                        f"{seq}" + (" with another hash" if seq == last[0] else ""))
        top = self.conn.execute("SELECT MAX(seq) FROM journal_links WHERE kiosk_id = ?",
                                (kiosk,)).fetchone()[0]
        if top is not None and seq < top:
            self._break(kiosk, seq, "went_back", f"the head is row {seq} but the city has "
                        f"seen row {top}")
        seen = self._link(kiosk, seq)
        if seen is not None and seen[0] != digest:
            self._break(kiosk, seq, "rewritten", f"the head's hash differs from row {seq} "
                        "as the city saw it")
        self.conn.execute("INSERT INTO journal_heads VALUES (?,?,?,?) ON CONFLICT(kiosk_id) "
                          "DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
                          "received_at = excluded.received_at", (kiosk, seq, digest, self.now()))

    def report(self, kiosk: str) -> dict:
        links = self.conn.execute("SELECT seq, hash FROM journal_links WHERE kiosk_id = ? "
                                  "ORDER BY seq", (kiosk,)).fetchall()
        head = self._head(kiosk)
        head_seq, head_hash = (head[0], head[1]) if head else (0, None)
        if links and links[-1][0] > head_seq:
            head_seq, head_hash = links[-1][0], links[-1][1]
        seqs = [r[0] for r in links]
        unlinked = sum(1 for a, b in zip(seqs, seqs[1:]) if b != a + 1)
        breaks = [{"seq": r[0], "kind": r[1], "detail": r[2], "found_at": r[3]}
                  for r in self.conn.execute("SELECT seq, kind, detail, found_at FROM "
                                             "journal_breaks WHERE kiosk_id = ? ORDER BY id",
                                             (kiosk,))]
        return {"kiosk": kiosk, "head_seq": head_seq, "head_hash": head_hash,
                "events_seen": len(links), "unlinked": unlinked, "breaks": breaks,
                "alert": ALERT if breaks else None}
