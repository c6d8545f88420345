"""What a scripted day leaves behind, and the numbers that say whether anything was lost.

Read from the outside only: the kiosk's database (a copy made with SQLite's backup API
after the kiosk stopped), the city's database, the lock-board simulator's frame log and
``kiosk audit verify`` run as a command. Nothing here imports the kiosk.
"""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

STATES = ("DEPOSITED", "COLLECTED", "RESULT_LOADED", "PICKED_UP", "EXPIRED",
          "RETURNED_TO_OFFICE", "CANCELLED")
OTP_IN_TEXT = re.compile(r"(?<![\dA-Z])\d{6}(?![\d-])")


def backup_db(src: Path, dst: Path) -> None:
    """A consistent copy of a database another process may have used (never a file copy)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        dst.unlink()
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(str(dst))
        try:
            source.backup(target)
            # one self-contained file to hand over (the source runs in WAL mode)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        source.close()


def _rows(db: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def reached(kiosk_db: Path) -> dict[str, int]:
    """How many dossiers ever reached each state (from the journal, so a later state
    does not hide an earlier one)."""
    rows = _rows(kiosk_db, "SELECT to_state, COUNT(DISTINCT subject) n FROM journal "
                           "WHERE action IN ('dossier.state', 'dossier.created') "
                           "AND to_state IS NOT NULL GROUP BY to_state")
    got = {r["to_state"]: r["n"] for r in rows}
    return {s: got.get(s, 0) for s in STATES}


def current(kiosk_db: Path) -> dict[str, int]:
    rows = _rows(kiosk_db, "SELECT state, COUNT(*) n FROM dossiers GROUP BY state")
    got = {r["state"]: r["n"] for r in rows}
    return {s: got.get(s, 0) for s in ("DRAFT",) + STATES}


def trays_unknown_after_recovery(kiosk_db: Path) -> int:
    total = 0
    for r in _rows(kiosk_db, "SELECT data FROM journal WHERE action = 'kiosk.recovered'"):
        try:
            total += len(json.loads(r["data"] or "{}").get("unknown", []))
        except (ValueError, AttributeError):
            pass
    return total


def intents(kiosk_db: Path) -> list[str]:
    """Trays the kiosk decided to unlock (intent committed before the pulse), in order."""
    return [r["subject"] for r in _rows(
        kiosk_db, "SELECT subject FROM journal WHERE action = 'tray.state' "
                  "AND to_state = 'UNLOCKING' ORDER BY seq")]


def wrong_trays(pulsed: list[str], intended: list[str]) -> list[str]:
    """Pulses on the wire with no matching intent in the journal, in order.

    Retries of one unlock repeat a tray back to back and count once. An intent with no
    pulse (power cut between intent and pulse) is fine; a pulse with no intent is not.
    """
    collapsed = [t for i, t in enumerate(pulsed) if i == 0 or pulsed[i - 1] != t]
    wrong, j = [], 0
    for tray in collapsed:
        k = j
        while k < len(intended) and intended[k] != tray:
            k += 1
        if k == len(intended):
            wrong.append(tray)
        else:
            j = k + 1
    return wrong


def events(kiosk_db: Path, city_db: Path, kiosk_id: str) -> dict:
    outbox = _rows(kiosk_db, "SELECT key, kind, delivered_at, dead_letter, last_error "
                             "FROM outbox")
    city = _rows(city_db, "SELECT key, kiosk_seq FROM events WHERE kiosk_id = ?", (kiosk_id,))
    at_city = {r["key"] for r in city}
    keys = {r["key"] for r in outbox}
    dup_keys = sum(n - 1 for n in Counter(r["key"] for r in city).values() if n > 1)
    dup_seq = sum(n - 1 for s, n in Counter(r["kiosk_seq"] for r in city
                                            if r["kiosk_seq"] is not None).items() if n > 1)
    counters = {r["name"]: r["value"] for r in _rows(city_db, "SELECT * FROM counters")}
    return {
        "events_generated": len(outbox),
        "events_delivered_unique": len(keys & at_city),
        "duplicates_at_server": dup_keys + dup_seq,
        "resends_deduplicated_by_server": counters.get("events_duplicate", 0),
        "lost_events": len(keys - at_city),
        "events_pending_at_end": sum(1 for r in outbox if not r["delivered_at"]
                                     and not r["dead_letter"]),
        "dead_letters": sum(1 for r in outbox if r["dead_letter"]),
        # what the city refused, by kind, with its reason: the first thing to read when
        # lost_events is not 0
        "dead_letter_kinds": {k: {"count": n, "reason": next(
            (r["last_error"] or "")[:200] for r in outbox
            if r["dead_letter"] and r["kind"] == k)}
            for k, n in Counter(r["kind"] for r in outbox if r["dead_letter"]).items()},
        "unknown_events_at_server": len(at_city - keys),
    }


def audit_ok(kiosk_db: Path) -> tuple[bool, str]:
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "audit", "verify", "--db",
                           str(kiosk_db)], capture_output=True, text=True, timeout=120)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number or "")
    return "*" * max(0, len(digits) - 3) + digits[-3:]


def write_sms(messages: list[dict], path: Path) -> int:
    """Every SMS (time, to, text, via); numbers masked and one-time codes blanked, as
    nothing personal or secret goes into files that travel."""
    with path.open("w", encoding="utf-8") as f:
        for m in messages:
            f.write(json.dumps({"time": m["time"], "to": mask_phone(m["to"]),
                                "text": OTP_IN_TEXT.sub("••••••", m["text"]),
                                "via": m["via"]}, ensure_ascii=False) + "\n")
    return len(messages)


def copy_receipts(run: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for png in sorted((run / "receipts").glob("*/*.png")):
        n += 1
        shutil.copy2(png, out / f"receipt-{n:04d}.png")
    return n


HOLDING = {"OCCUPIED_DEPOSIT": "DEPOSITED", "OCCUPIED_RESULT": "RESULT_LOADED",
           "EXPIRED": "EXPIRED"}
NO_PAPER = ("EMPTY", "RESERVED")


def cabinet_vs_database(cabinet: dict[str, dict], kiosk_db: Path) -> dict:
    """The simulated cabinet (doors, paper) against the kiosk's trays and dossiers.

    A tray that holds a dossier has paper, an empty one has none, every door is shut,
    every dossier whose paper is in the cabinet is in a tray that says so, and a tray
    left UNKNOWN is one a restart put in doubt (named in a ``kiosk.recovered`` row)
    whose paper, if any, belongs to a dossier a technician can find."""
    trays = {r["id"]: r for r in _rows(kiosk_db, "SELECT id, state, dossier_code FROM trays")}
    dossiers = {r["code"]: r for r in _rows(kiosk_db, "SELECT code, state, tray_id FROM "
                                                      "dossiers")}
    put_in_doubt = set()
    for r in _rows(kiosk_db, "SELECT data FROM journal WHERE action = 'kiosk.recovered'"):
        try:
            put_in_doubt |= set(json.loads(r["data"] or "{}").get("unknown", []))
        except (ValueError, AttributeError):
            pass
    wrong, unknown = [], []
    for tray, hw in sorted(cabinet.items()):
        row = trays.get(tray)
        if row is None:
            wrong.append(f"{tray}: in the cabinet, not in the database")
            continue
        state, code = row["state"], row["dossier_code"]
        if hw["door"] not in ("closed", "locked"):
            wrong.append(f"{tray}: door {hw['door']} at the end of the day")
        if state in HOLDING:
            d = dossiers.get(code)
            if not hw["paper"]:
                wrong.append(f"{tray}: {state} ({code}) but the tray is empty")
            if d is None or d["state"] != HOLDING[state] or d["tray_id"] != tray:
                wrong.append(f"{tray}: {state} but its dossier {code} is "
                             f"{d['state'] if d else 'missing'}")
        elif state in NO_PAPER and hw["paper"]:
            wrong.append(f"{tray}: {state} in the database but paper in the tray")
        elif state == "UNKNOWN":
            unknown.append(tray)
            if tray not in put_in_doubt:
                wrong.append(f"{tray}: UNKNOWN but no restart put it in doubt")
            if hw["paper"] and (code is None or code not in dossiers):
                wrong.append(f"{tray}: UNKNOWN with paper but no dossier to find it by")
    in_trays = {r["dossier_code"] for r in trays.values() if r["dossier_code"]}
    lost = sorted(code for code, d in dossiers.items()
                  if d["state"] in HOLDING.values() and code not in in_trays)
    wrong += [f"dossier {code}: {dossiers[code]['state']} but in no tray" for code in lost]
    return {"trays_unknown_at_end": len(unknown), "trays_unknown": unknown,
            "dossiers_in_no_tray": len(lost), "cabinet_mismatches": wrong}
