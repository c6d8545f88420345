"""The hash-chained journal: each row holds the SHA-256 of the row before it.

Editing, removing or reordering a row breaks the chain from that row on;
``verify_chain`` names the first row that does not hold.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "actor", "action", "subject", "from_state", "to_state",
                 "reason", "txn", "data")


def row_hash(prev_hash: str, row: dict) -> str:
    body = json.dumps({k: row.get(k) for k in HASHED_FIELDS}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    ok: bool
    rows: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(rows, head: dict | None = None) -> ChainReport:
    """Walk journal rows in seq order. ``head`` is the recorded head {seq, hash}, which
    catches rows cut off the end of the chain."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(False, count, prev, expected_seq,
                               f"row {expected_seq} is missing (next row found is {seq})")
        if row["prev_hash"] != prev:
            return ChainReport(False, count, prev, seq,
                               f"row {seq} does not follow row {seq - 1} "
                               "(removed, reordered or altered before it)")
        if row_hash(prev, row) != row["hash"]:
            return ChainReport(False, count, prev, seq,
                               f"row {seq} was altered after it was written")
        prev = row["hash"]
        expected_seq += 1
        count += 1
    if head and (head.get("seq", 0) != count or head.get("hash", GENESIS) != prev):
        return ChainReport(False, count, prev, count + 1 if head.get("seq", 0) > count else None,
                           f"the journal ends at row {count} but the recorded head is row "
                           f"{head.get('seq')}: rows were removed from the end")
    return ChainReport(True, count, prev)
