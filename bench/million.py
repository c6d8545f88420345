"""A kiosk database with 1,000,000 dossiers, built once into bench/.cache and reused.

Rows are written straight with ``executemany`` in one transaction (the ledger's one row
at a time, with journal and outbox, would take hours), into the schema the store's own
migrations create. Phone numbers are real-looking Vietnamese mobiles, kept as the same
keyed HMAC the ledger computes (``Pii.phone_hmac``); about 3 dossiers per phone, most
closed, and at most one result per tray waiting, as on a real kiosk after some years.
"""
from __future__ import annotations

import random
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.stats import CACHE_DIR
from kiosk.pii import MOBILE_PREFIXES, Pii, mask_phone
from kiosk.store import Store

ROWS = 1_000_000
PHONES = 330_000
KEY = b"bench-hmac-key-0123456789abcdef!"
SEED = 20261127
VERSION = 2                     # bump when the rows change, to rebuild the cache
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def phones(n: int = PHONES, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 7):07d}")
    return sorted(seen)


def _code(i: int, day: datetime) -> str:
    tail = ""
    for _ in range(5):
        i, r = divmod(i, len(ALPHABET))
        tail += ALPHABET[r]
    return f"HS{day:%y%m%d}-{tail}"


def db_path(rows: int = ROWS) -> Path:
    return CACHE_DIR / f"dossiers-{rows}-v{VERSION}.db"


def build(rows: int = ROWS, *, log=print) -> Path:
    """The cache file, built if missing (about a minute on a small machine)."""
    path = db_path(rows)
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    Store.open(tmp).close()                       # the real schema, by the migrations
    pii = Pii(KEY)
    rng = random.Random(SEED)
    numbers = phones()
    hmacs = {p: pii.phone_hmac(p) for p in numbers}
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    span_s = 3 * 365 * 86400
    states = (["PICKED_UP"] * 90 + ["RETURNED_TO_OFFICE"] * 4 + ["CANCELLED"] * 3 +
              ["SUBMITTED_ONLINE"] * 2 + ["COLLECTED"])
    trays = [f"{c}{n:02d}" for c in "AB" for n in range(1, 46)]
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    sql = ("INSERT INTO dossiers(code, procedure_code, procedure_name, state, tray_id, "
           "tray_size, phone_hmac, phone_masked, fee, payment, channel, needs_id_check, "
           "created_at, updated_at, deposited_at, closed_at) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    conn.execute("BEGIN")

    def batch(lo, hi):
        for i in range(lo, hi):
            at = start + timedelta(seconds=span_s * i // rows)
            phone = numbers[rng.randrange(len(numbers))]
            waiting = i >= rows - len(trays)      # the newest: results in the trays
            state = "RESULT_LOADED" if waiting else rng.choice(states)
            iso = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            yield (_code(i, at), f"TT-{rng.randrange(51):02d}", "Thủ tục hành chính", state,
                   trays[i - (rows - len(trays))] if waiting else None,
                   rng.choice("SML"), hmacs[phone], mask_phone(phone), 0, "none", "kiosk",
                   0, iso, iso, iso, None if waiting else iso)

    step = 100_000
    for lo in range(0, rows, step):
        conn.executemany(sql, batch(lo, min(rows, lo + step)))
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)
    log(f"built {rows:,} dossiers into {path} in {time.perf_counter() - t0:.0f} s")
    return path
