"""The only writer of kiosk state.

Every change is one transaction that writes the new state, a hash-chained journal row
(who, what, when, why) and an outbox row with an idempotency key for the city. The
state machines in ``kiosk.models`` are checked first: an illegal move raises
``IllegalTransition`` and writes nothing.
"""
from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
import uuid
from datetime import datetime, timezone

from kiosk.clock import Clock
from kiosk.journal import GENESIS, row_hash
from kiosk.models import (DossierState, IllegalTransition, TrayState, check_dossier,
                          check_tray, TERMINAL_DOSSIER)
from kiosk.pii import Pii, mask_id, mask_name, mask_phone, normalize_phone
from kiosk.store import Store

KEEP = object()
HEAD_KEY = "journal_head"
# What the city contract accepts as an event kind: dotted lower-case words.
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"   # no 0/O, 1/I: read aloud on the phone

_DOSSIER_STAMPS = {
    DossierState.DEPOSITED: "deposited_at",
    DossierState.SUBMITTED_ONLINE: "deposited_at",
    DossierState.COLLECTED: "collected_at",
    DossierState.RESULT_LOADED: "result_loaded_at",
    DossierState.PICKED_UP: "picked_up_at",
}
_DOSSIER_COLUMNS = {"procedure_name", "citizen_name_masked", "fee", "payment", "channel",
                    "needs_id_check", "deadline_at", "reminder_sent_at", "tray_size"}


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Ledger:
    def __init__(self, store: Store, clock: Clock, pii: Pii, kiosk_id: str = "kiosk"):
        self.store = store
        self.clock = clock
        self.pii = pii
        self.kiosk_id = kiosk_id
        self._listeners = []
        self._local = threading.local()

    # ---- listeners (UI refresh, door poller): called after commit ------------------
    def add_listener(self, callback) -> None:
        """``callback(kind, subject, row)`` after a committed change (any thread)."""
        self._listeners.append(callback)

    def _notify(self, kind, subject, row):
        for cb in list(self._listeners):
            try:
                cb(kind, subject, row)
            except Exception:   # a listener must never undo a committed change
                pass

    @contextlib.contextmanager
    def transaction(self):
        """Group several changes into one transaction; listeners hear of them after
        the commit, and not at all on rollback."""
        local = self._local
        outer = getattr(local, "pending", None) is None
        if outer:
            local.pending = []
        try:
            with self.store.write():
                yield self
            if outer:
                pending, local.pending = local.pending, None
                for item in pending:
                    self._notify(*item)
        finally:
            if outer:
                local.pending = None

    def _after_commit(self, kind, subject, row):
        pending = getattr(self._local, "pending", None)
        if pending is not None:
            pending.append((kind, subject, row))
        else:
            self._notify(kind, subject, row)

    # ---- reads ---------------------------------------------------------------------
    def tray(self, tray_id: str) -> dict:
        row = self.store.query_one("SELECT * FROM trays WHERE id = ?", (tray_id,))
        if row is None:
            raise KeyError(f"no tray {tray_id!r} in this kiosk")
        return row

    def trays(self, state=None, size=None) -> list[dict]:
        sql, args = "SELECT * FROM trays WHERE 1=1", []
        if state is not None:
            states = [state] if isinstance(state, (str, TrayState)) else list(state)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += [TrayState(s).value for s in states]
        if size is not None:
            sql += " AND size = ?"
            args.append(size)
        return self.store.query(sql + " ORDER BY id", args)

    def dossier(self, code: str) -> dict | None:
        return self.store.query_one("SELECT * FROM dossiers WHERE code = ?", (code,))

    def dossiers(self, state=None, phone=None, phone_hmac=None) -> list[dict]:
        sql, args = "SELECT * FROM dossiers WHERE 1=1", []
        if state is not None:
            states = [state] if isinstance(state, (str, DossierState)) else list(state)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += [DossierState(s).value for s in states]
        if phone is not None:
            phone_hmac = self.pii.phone_hmac(phone)
        if phone_hmac is not None:
            sql += " AND phone_hmac = ?"
            args.append(phone_hmac)
        return self.store.query(sql + " ORDER BY created_at, code", args)

    _STATUS_SQL = ("SELECT code, state, procedure_name, updated_at, tray_id FROM dossiers "
                   "WHERE phone_hmac = ? AND state NOT IN (?, ?) ORDER BY created_at, code")

    def statuses_by_phone(self, phone: str) -> list[dict]:
        """What the status screen lists for a phone, in one indexed query: only the five
        columns it shows, drafts and cancelled dossiers left out by SQLite itself."""
        rows = self.store.rows(self._STATUS_SQL, (self.pii.phone_hmac(phone),
                                                  DossierState.DRAFT.value,
                                                  DossierState.CANCELLED.value))
        return [{"code": r[0], "state": r[1], "procedure": r[2], "updated_at": r[3],
                 "tray": r[4]} for r in rows]

    def journal_head(self) -> dict:
        return self.store.get_setting(HEAD_KEY, {"seq": 0, "hash": GENESIS})

    # ---- the journal + outbox, inside the caller's transaction ----------------------
    def _record(self, action, *, actor, subject, from_state=None, to_state=None, reason="",
                txn=None, data=None, to_city=True, dossier_code=None, city_extra=None):
        if not ACTION_NAME.match(action):
            raise ValueError(f"event kind {action!r} is not a dotted lower-case name such as "
                             "'door.closed'; the city refuses anything else")
        now = self.clock.now()
        head = self.journal_head()
        row = {"seq": head["seq"] + 1, "at": _iso(now), "actor": actor, "action": action,
               "subject": subject, "from_state": from_state, "to_state": to_state,
               "reason": reason or "", "txn": txn,
               "data": json.dumps(data, ensure_ascii=False, sort_keys=True) if data else None}
        row["prev_hash"] = head["hash"]
        row["hash"] = row_hash(head["hash"], row)
        self.store.execute(
            "INSERT INTO journal(seq, at, actor, action, subject, from_state, to_state, "
            "reason, txn, data, prev_hash, hash) VALUES (:seq, :at, :actor, :action, "
            ":subject, :from_state, :to_state, :reason, :txn, :data, :prev_hash, :hash)", row)
        self.store.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
            "SET value = excluded.value",
            (HEAD_KEY, json.dumps({"seq": row["seq"], "hash": row["hash"]})))
        if to_city:
            payload = {"type": action, "kiosk": self.kiosk_id, "at": row["at"],
                       "subject": subject, "from": from_state, "to": to_state,
                       "reason": reason or "", "actor": actor, "journal_seq": row["seq"],
                       "journal_hash": row["hash"], "journal_prev": row["prev_hash"]}
            if data:
                payload["data"] = data
            if city_extra:
                payload.update(city_extra)
            self.store.execute(
                "INSERT INTO outbox(key, kind, dossier_code, payload, created_at, journal_seq)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), action, dossier_code,
                 json.dumps(payload, ensure_ascii=False), row["at"], row["seq"]))
        return row

    def event(self, action: str, *, actor: str, subject: str, reason: str = "",
              data: dict | None = None, to_city: bool = True, txn: str | None = None,
              dossier_code: str | None = None, city_extra: dict | None = None) -> dict:
        """A journal (+ outbox) row for something that is not a state change."""
        with self.transaction():
            row = self._record(action, actor=actor, subject=subject, reason=reason, txn=txn,
                               data=data, to_city=to_city, dossier_code=dossier_code,
                               city_extra=city_extra)
        self._after_commit("event", subject, row)
        return row

    # ---- trays ---------------------------------------------------------------------
    def sync_trays(self, specs) -> list[str]:
        """Make sure every configured tray has a row (new trays start EMPTY)."""
        added = []
        with self.transaction():
            have = {r["id"] for r in self.store.query("SELECT id FROM trays")}
            for spec in specs:
                if spec.id in have:
                    continue
                self.store.execute(
                    "INSERT INTO trays(id, cabinet, size, state, state_since) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (spec.id, spec.cabinet, spec.size, TrayState.EMPTY.value,
                     _iso(self.clock.now())))
                self._record("tray.added", actor="system", subject=spec.id,
                             to_state=TrayState.EMPTY.value, reason="tray in the profile",
                             data={"size": spec.size}, to_city=False)
                added.append(spec.id)
        return added

    def move_tray(self, tray_id: str, to_state, *, actor: str, reason: str, txn=None,
                  dossier_code=KEEP, purpose=KEEP, data=None, note=KEEP) -> dict:
        to_state = TrayState(to_state)
        with self.transaction():
            cur = self.tray(tray_id)
            check_tray(cur["state"], to_state)
            new_dossier = cur["dossier_code"] if dossier_code is KEEP else dossier_code
            if to_state == TrayState.EMPTY:
                new_dossier = None
            new_purpose = cur["purpose"] if purpose is KEEP else purpose
            prior = cur["state"] if to_state == TrayState.UNLOCKING else cur["prior_state"]
            if to_state in (TrayState.EMPTY,):
                new_purpose, prior = None, None
            new_note = cur["note"] if note is KEEP else note
            self.store.execute(
                "UPDATE trays SET state = ?, dossier_code = ?, purpose = ?, prior_state = ?,"
                " txn = ?, state_since = ?, note = ?, actor = ? WHERE id = ?",
                (to_state.value, new_dossier, new_purpose, prior,
                 txn if txn is not None else (cur["txn"] if to_state != TrayState.EMPTY
                                              else None),
                 _iso(self.clock.now()), new_note, actor, tray_id))
            full = dict(data or {})
            if new_dossier:
                full.setdefault("dossier", new_dossier)
            if new_purpose:
                full.setdefault("purpose", new_purpose)
            self._record("tray.state", actor=actor, subject=tray_id,
                         from_state=cur["state"], to_state=to_state.value, reason=reason,
                         txn=txn, data=full or None, dossier_code=new_dossier)
            row = self.tray(tray_id)
        self._after_commit("tray", tray_id, row)
        return row

    # ---- dossiers ------------------------------------------------------------------
    def new_dossier_code(self) -> str:
        day = self.clock.now().strftime("%y%m%d")
        while True:
            tail = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(5))
            code = f"HS{day}-{tail}"
            if self.dossier(code) is None:
                return code

    def create_dossier(self, *, procedure_code: str, procedure_name: str = "", state,
                       actor: str, phone: str | None = None, id_number: str | None = None,
                       citizen_name: str | None = None, code: str | None = None,
                       tray_size: str = "M", fee: int = 0, channel: str = "kiosk",
                       needs_id_check: bool = False, reason: str = "",
                       data: dict | None = None, fields: dict | None = None,
                       city_extra: dict | None = None) -> dict:
        state = DossierState(state)
        check_dossier(None, state)
        phone_n = normalize_phone(phone) if phone else None
        now = _iso(self.clock.now())
        with self.transaction():
            code = code or self.new_dossier_code()
            if self.dossier(code) is not None:
                raise IllegalTransition(f"dossier {code} already exists")
            row = {
                "code": code, "procedure_code": procedure_code,
                "procedure_name": procedure_name, "state": state.value, "tray_id": None,
                "tray_size": tray_size,
                "phone_hmac": self.pii.phone_hmac(phone_n) if phone_n else None,
                "phone_masked": mask_phone(phone_n) if phone_n else None,
                "id_hmac": self.pii.id_hmac(id_number) if id_number else None,
                "id_masked": mask_id(id_number) if id_number else None,
                "citizen_name_masked": mask_name(citizen_name) if citizen_name else None,
                "fee": int(fee), "payment": "none", "channel": channel,
                "needs_id_check": int(bool(needs_id_check)), "created_at": now,
                "updated_at": now, "data": json.dumps(data, ensure_ascii=False) if data else None,
            }
            if state == DossierState.COLLECTED:
                row["collected_at"] = now
            for k, v in (fields or {}).items():
                if k not in _DOSSIER_COLUMNS:
                    raise ValueError(f"dossier field {k!r} cannot be set here")
                row[k] = v
            cols = ",".join(row)
            self.store.execute(f"INSERT INTO dossiers({cols}) VALUES "
                               f"({','.join('?' * len(row))})", list(row.values()))
            # Plaintext phone only in the outbox (the city must reach the citizen);
            # scrubbed once delivered.
            extra = {"procedure": procedure_code, "channel": channel}
            if phone_n:
                extra["phone"] = phone_n
            if id_number:
                extra["id_number"] = id_number.strip()
            extra.update(city_extra or {})      # personal data for the city only
            self._record("dossier.created", actor=actor, subject=code, to_state=state.value,
                         reason=reason or "new dossier", dossier_code=code,
                         data={"procedure": procedure_code, "channel": channel,
                               "phone": row["phone_masked"]} | (data or {}),
                         city_extra=extra)
            out = self.dossier(code)
        self._after_commit("dossier", code, out)
        return out

    def move_dossier(self, code: str, to_state, *, actor: str, reason: str, tray_id=KEEP,
                     txn=None, data=None, fields: dict | None = None) -> dict:
        to_state = DossierState(to_state)
        with self.transaction():
            cur = self.dossier(code)
            if cur is None:
                raise KeyError(f"no dossier {code!r}")
            check_dossier(cur["state"], to_state)
            now = _iso(self.clock.now())
            sets = {"state": to_state.value, "updated_at": now}
            if tray_id is not KEEP:
                sets["tray_id"] = tray_id
            if to_state in TERMINAL_DOSSIER or to_state in (DossierState.COLLECTED,
                                                            DossierState.SUBMITTED_ONLINE):
                sets["tray_id"] = None
            stamp = _DOSSIER_STAMPS.get(to_state)
            if stamp:
                sets[stamp] = now
            if to_state in TERMINAL_DOSSIER:
                sets["closed_at"] = now
            for k, v in (fields or {}).items():
                if k not in _DOSSIER_COLUMNS:
                    raise ValueError(f"dossier field {k!r} cannot be set here")
                sets[k] = v
            assign = ", ".join(f"{k} = ?" for k in sets)
            self.store.execute(f"UPDATE dossiers SET {assign} WHERE code = ?",
                               [*sets.values(), code])
            full = dict(data or {})
            tray_now = sets.get("tray_id", cur["tray_id"])
            if tray_now:
                full.setdefault("tray", tray_now)
            if "deadline_at" in sets:
                full.setdefault("deadline_at", sets["deadline_at"])
            self._record("dossier.state", actor=actor, subject=code,
                         from_state=cur["state"], to_state=to_state.value, reason=reason,
                         txn=txn, data=full or None, dossier_code=code)
            out = self.dossier(code)
        self._after_commit("dossier", code, out)
        return out

    def set_dossier_fields(self, code: str, *, actor: str, reason: str, **fields) -> dict:
        """Change bookkeeping fields (payment, reminder) with a journal row."""
        with self.transaction():
            if self.dossier(code) is None:
                raise KeyError(f"no dossier {code!r}")
            for k in fields:
                if k not in _DOSSIER_COLUMNS:
                    raise ValueError(f"dossier field {k!r} cannot be set here")
            fields["updated_at"] = _iso(self.clock.now())
            assign = ", ".join(f"{k} = ?" for k in fields)
            self.store.execute(f"UPDATE dossiers SET {assign} WHERE code = ?",
                               [*fields.values(), code])
            self._record("dossier.update", actor=actor, subject=code, reason=reason,
                         data={k: v for k, v in fields.items() if k != "updated_at"},
                         dossier_code=code)
            out = self.dossier(code)
        self._after_commit("dossier", code, out)
        return out
