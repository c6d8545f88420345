"""What staff do at a round: collect deposits, load results, take back expired results.

Every step is a state change through the ledger (journal + outbox row for the city) and
every tray is opened through the door service (intent first, sensor confirmation). The
methods block on the lock boards; the screens call them from a worker thread.

- Collect / take back: trays open one at a time; the staff member confirms each by
  scanning the receipt QR or tapping. A tray that should hold paper and does not (or a
  wrong dossier in it), and a tray whose item sensor says full with no record, become
  incidents and the tray goes OUT_OF_SERVICE until a technician resolves it.
- Load: the dossier code is looked up in the city's results list (or typed with the
  phone number when the city is unreachable); a free tray of the right size opens; when
  the door is shut with something inside, the dossier is RESULT_LOADED with its pickup
  deadline and the citizen gets an SMS with that deadline.
- Expiry (``run_expiry``, called periodically): a reminder SMS ``reminder_hours_before``
  the deadline, then EXPIRED at the deadline.
- The round report is printed and sent to the city as one outbox event.

Where SMS go is explained in docs/staff-rounds.md: the kiosk keeps no plaintext phone,
so a message to the citizen of a stored dossier is an ``sms.request`` event the city
sends to the number it knows; a number at hand (results list, typed by staff) is used
at once through the SMS router, with the event as the fallback.
"""
from __future__ import annotations

import logging
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time as dtime, timedelta
from typing import Callable

from hardware.ports import DoorState
from kiosk.clock import parse_iso, utc_iso
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import InvalidPhone, mask_phone, normalize_phone

log = logging.getLogger(__name__)
SIZES = ("S", "M", "L")
EXPIRY_ACTOR = "system:expiry"


class RoundError(Exception):
    """A step of a round that cannot be done; ``reason`` is a stable key for the screen."""

    def __init__(self, reason: str, message: str, **details):
        super().__init__(message)
        self.reason = reason
        self.details = details


def ascii_vi(text: str) -> str:
    """Vietnamese without diacritics (an SMS in GSM 7-bit: 160 characters a part)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).replace("—", "-")


def fmt_deadline(when: datetime) -> str:
    return f"{when:%H:%M} ngay {when:%d/%m/%Y}"


@dataclass
class RoundRun:
    """One staff member's round, from sign-in to report."""

    id: str
    label: str
    actor: str
    started_at: datetime
    collected: list = field(default_factory=list)
    loaded: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    skipped: set = field(default_factory=set)
    finished: bool = False


@dataclass
class TakeStep:
    """A tray opened for staff to take paper out (collect or take back)."""

    purpose: str                 # "collect" or "retrieve"
    tray: str
    dossier_code: str | None
    txn: str
    opened: bool
    occupied: bool | None = None  # item sensor right after opening (None: no sensor)
    done: bool = False

    @property
    def sensor_says_empty(self) -> bool:
        return self.occupied is False


@dataclass
class LoadStep:
    """A result being put into a tray; finished by the door closing."""

    code: str
    tray: str
    txn: str
    size: str
    procedure: str
    source: str                  # "results" (city list), "ledger" or "manual"
    phone: str | None = None     # plaintext, in memory only, for the SMS
    status: str = "open"         # open → loaded | empty | failed
    deadline: datetime | None = None
    sms: str = ""                # how the citizen is told: "city", "modem", "outbox"
    run: RoundRun | None = None


class RoundService:
    def __init__(self, *, ledger, doors, clock, round_times=("08:00", "13:30", "16:00"),
                 expiry_days: int = 3, reminder_hours_before: int = 24, sms=None,
                 results=None, printer=None, kiosk_id: str = "kiosk",
                 kiosk_name: str = "", office: str = "", office_address: str = "",
                 hotline: str = "1022"):
        self.ledger, self.doors, self.clock = ledger, doors, clock
        self.round_times = sorted(round_times)
        self.expiry_days = expiry_days
        self.reminder_hours_before = reminder_hours_before
        self.sms, self.results, self.printer = sms, results, printer
        self.kiosk_id, self.kiosk_name = kiosk_id, kiosk_name or kiosk_id
        self.office, self.office_address, self.hotline = office, office_address, hotline
        self._lock = threading.RLock()
        self._loads: dict[str, LoadStep] = {}
        self._listeners: list[Callable[[str, object], None]] = []
        doors.add_listener(self._on_door)

    # ---- listeners -----------------------------------------------------------------
    def add_listener(self, callback: Callable[[str, object], None]) -> None:
        """``callback(kind, step)`` from a device thread: 'load.done', 'load.empty'."""
        self._listeners.append(callback)

    def _emit(self, kind: str, payload) -> None:
        for cb in list(self._listeners):
            try:
                cb(kind, payload)
            except Exception:
                log.exception("round listener failed")

    # ---- what waits ----------------------------------------------------------------
    def round_label(self, now: datetime | None = None) -> str:
        """The scheduled round nearest to ``now`` (a round started early or late is
        still that round)."""
        now = now or self.clock.now()
        best, best_gap = self.round_times[0], None
        for label in self.round_times:
            h, m = int(label[:2]), int(label[3:])
            at = now.replace(hour=h, minute=m, second=0, microsecond=0)
            gap = min(abs((at - now).total_seconds()),
                      abs((at + timedelta(days=1) - now).total_seconds()),
                      abs((at - timedelta(days=1) - now).total_seconds()))
            if best_gap is None or gap < best_gap:
                best, best_gap = label, gap
        return best

    def next_round(self, now: datetime | None = None) -> datetime:
        now = now or self.clock.now()
        for day in (0, 1):
            for label in self.round_times:
                at = datetime.combine(now.date() + timedelta(days=day),
                                      dtime(int(label[:2]), int(label[3:])), now.tzinfo)
                if at > now:
                    return at
        raise AssertionError("no round time configured")

    def overview(self) -> dict:
        """Everything that waits for staff, for the round screen."""
        deposits = [{"tray": t["id"], "code": t["dossier_code"], "since": t["state_since"]}
                    for t in self.ledger.trays(state=T.OCCUPIED_DEPOSIT)]
        expired = []
        for t in self.ledger.trays(state=T.EXPIRED):
            d = self.ledger.dossier(t["dossier_code"]) if t["dossier_code"] else None
            expired.append({"tray": t["id"], "code": t["dossier_code"],
                            "deadline": d["deadline_at"] if d else None})
        results = []
        if self.results is not None:
            for r in self.results.waiting():
                results.append({"code": r["dossier_code"],
                                "procedure": r.get("procedure_name") or r.get("procedure_code"),
                                "size": r.get("tray_size") or "M",
                                "phone": r.get("phone_masked") or ""})
        free = {s: len(self.ledger.trays(state=T.EMPTY, size=s)) for s in SIZES}
        incidents = self.ledger.store.query(
            "SELECT * FROM incidents WHERE resolved_at IS NULL ORDER BY id")
        return {"round": self.round_label(), "next_round": self.next_round(),
                "deposits": deposits, "results": results, "expired": expired,
                "free": free, "incidents": incidents}

    # ---- the round -----------------------------------------------------------------
    def begin(self, actor: str) -> RoundRun:
        now = self.clock.now()
        label = self.round_label(now)
        run = RoundRun(id=f"R{now:%Y%m%d}-{label.replace(':', '')}-{uuid.uuid4().hex[:6]}",
                       label=label, actor=actor, started_at=now)
        self.ledger.event("round.started", actor=actor, subject=run.id,
                          reason=f"round {label}", data={"round": label})
        self.check_sensors(run)
        return run

    def check_sensors(self, run: RoundRun) -> list[dict]:
        """Trays recorded empty whose item sensor says something is inside."""
        found = []
        reading = getattr(self.doors, "reading", None)
        if reading is None:
            return found
        for t in self.ledger.trays(state=T.EMPTY):
            r = reading(t["id"])
            if r is not None and r.occupied is True:
                found.append(self._incident(run, t["id"], "item.no_record",
                                            "item sensor says full, no dossier on record"))
        return found

    def _incident(self, run: RoundRun, tray: str, kind: str, detail: str,
                  dossier: str | None = None) -> dict:
        """Record an incident and take the tray out of use, in one transaction."""
        now = utc_iso(self.clock.now())
        with self.ledger.transaction():
            cur = self.ledger.store.execute(
                "INSERT INTO incidents(at, tray_id, kind, detail, actor) VALUES (?,?,?,?,?)",
                (now, tray, kind, detail, run.actor))
            incident_id = cur.lastrowid
            self.ledger.event("incident.recorded", actor=run.actor, subject=tray, reason=detail,
                              data={"kind": kind, "incident": incident_id, "round": run.id,
                                    "dossier": dossier}, dossier_code=dossier)
            if self.ledger.tray(tray)["state"] != T.OUT_OF_SERVICE.value:
                self.ledger.move_tray(tray, T.OUT_OF_SERVICE, actor=run.actor,
                                      reason=f"incident {incident_id}: {detail}",
                                      txn=run.id)
        item = {"id": incident_id, "tray": tray, "kind": kind, "detail": detail,
                "dossier": dossier}
        run.incidents.append(item)
        return item

    # ---- collect and take back ------------------------------------------------------
    def next_tray(self, run: RoundRun, purpose: str) -> str | None:
        state = T.OCCUPIED_DEPOSIT if purpose == "collect" else T.EXPIRED
        for t in self.ledger.trays(state=state):
            if t["id"] not in run.skipped:
                return t["id"]
        return None

    def open_next(self, run: RoundRun, purpose: str) -> TakeStep | None:
        """Blocking: open the next tray to empty (``purpose`` 'collect' or 'retrieve');
        None when there is none left. A tray whose door does not open is skipped and
        noted in the report."""
        while True:
            tray = self.next_tray(run, purpose)
            if tray is None:
                return None
            step = self.open_tray(run, tray, purpose)
            if step.opened:
                return step

    def open_tray(self, run: RoundRun, tray: str, purpose: str) -> TakeStep:
        row = self.ledger.tray(tray)
        want = T.OCCUPIED_DEPOSIT if purpose == "collect" else T.EXPIRED
        if row["state"] != want.value:
            raise RoundError("tray.state", f"tray {tray} is {row['state']}, not "
                                           f"{want.value}")
        txn = f"{run.id}:{purpose}:{tray}"
        verb = "collect deposit" if purpose == "collect" else "take back expired result"
        try:
            opened = self.doors.open(tray, actor=run.actor, reason=f"round {run.label}: {verb}",
                                     txn=txn)
        except Exception as exc:
            opened = False
            log.warning("tray %s did not open for %s: %s", tray, purpose, exc)
        step = TakeStep(purpose, tray, row["dossier_code"], txn, bool(opened))
        if not opened:
            run.skipped.add(tray)
            run.problems.append(f"tray {tray} did not open ({verb})")
            return step
        reading = self.doors.reading(tray) if hasattr(self.doors, "reading") else None
        step.occupied = reading.occupied if reading is not None else None
        return step

    def confirm_taken(self, run: RoundRun, step: TakeStep, scanned: str | None = None) -> dict:
        """The staff member has the paper (scanned its code, or tapped)."""
        if step.done:
            raise RoundError("step.done", f"tray {step.tray} is already done")
        if scanned is not None:
            code = scanned.strip().upper()
            if code != (step.dossier_code or ""):
                raise RoundError("code.mismatch", f"this paper is {code}; tray {step.tray} "
                                                  f"should hold {step.dossier_code}. Scan the "
                                                  "paper from this tray, or report a problem",
                                 scanned=code, expected=step.dossier_code)
        code = step.dossier_code
        how = "scanned" if scanned else "tapped"
        with self.ledger.transaction():
            if step.purpose == "collect":
                self.ledger.move_tray(step.tray, T.EMPTY, actor=run.actor, txn=step.txn,
                                      reason=f"deposit collected ({how})")
                self.ledger.move_dossier(code, D.COLLECTED, actor=run.actor, txn=step.txn,
                                         reason=f"collected at round {run.label}",
                                         data={"round": run.id, "confirmed": how})
            else:
                self.ledger.move_tray(step.tray, T.EMPTY, actor=run.actor, txn=step.txn,
                                      reason=f"expired result taken back ({how})")
                self.ledger.move_dossier(code, D.RETURNED_TO_OFFICE, actor=run.actor,
                                         txn=step.txn,
                                         reason=f"taken back to the office at round "
                                                f"{run.label}",
                                         data={"round": run.id, "confirmed": how})
                self._sms_request(code, "result.returned", self.returned_text(code),
                                  actor=run.actor)
        step.done = True
        item = {"code": code, "tray": step.tray, "confirmed": how}
        (run.collected if step.purpose == "collect" else run.returned).append(item)
        return item

    def report_problem(self, run: RoundRun, step: TakeStep, *, found: str = "empty",
                       scanned: str | None = None) -> dict:
        """The tray does not hold what the record says: ``found`` 'empty' or 'other'
        (a different dossier, ``scanned``)."""
        if step.done:
            raise RoundError("step.done", f"tray {step.tray} is already done")
        if found == "empty":
            kind = "deposit.missing" if step.purpose == "collect" else "result.missing"
            detail = f"record says {step.dossier_code}, tray found empty"
        else:
            kind = "dossier.mismatch"
            detail = (f"record says {step.dossier_code}, tray holds "
                      f"{(scanned or 'another dossier').strip().upper()}")
        if step.occupied is not None:
            detail += f" (item sensor: {'full' if step.occupied else 'empty'})"
        item = self._incident(run, step.tray, kind, detail, dossier=step.dossier_code)
        step.done = True
        run.skipped.add(step.tray)
        return item

    # ---- load results ----------------------------------------------------------------
    def lookup(self, code: str) -> dict:
        """What the kiosk knows of a result's dossier code; raises 'result.unknown' when
        only a manual entry (with the phone) can load it."""
        code = (code or "").strip().upper()
        if not code:
            raise RoundError("code.empty", "scan or type the dossier code")
        d = self.ledger.dossier(code)
        if d is not None:
            if d["state"] not in (D.COLLECTED.value, D.SUBMITTED_ONLINE.value):
                raise RoundError("result.state", f"dossier {code} is {d['state']}; only a "
                                                 "collected or online dossier gets a result")
        r = self.results.get(code) if self.results is not None else None
        if r is not None and r.get("loaded_at"):
            raise RoundError("result.loaded", f"the result of {code} is already in a tray")
        if r is not None:
            return {"code": code, "source": "results",
                    "procedure": r.get("procedure_name") or r.get("procedure_code") or "",
                    "size": r.get("tray_size") or "M",
                    "phone_masked": r.get("phone_masked") or "",
                    "phone_known": bool(r.get("phone"))}
        if d is not None:
            return {"code": code, "source": "ledger",
                    "procedure": d.get("procedure_name") or d["procedure_code"],
                    "size": d.get("tray_size") or "M",
                    "phone_masked": d.get("phone_masked") or "",
                    "phone_known": bool(d.get("phone_hmac"))}
        raise RoundError("result.unknown", f"{code} is not in the city's results list; if "
                                           "the city is unreachable, type the citizen's "
                                           "phone number to load it by hand", code=code)

    def _free_tray(self, size: str) -> str | None:
        for s in SIZES[SIZES.index(size):]:
            tray = self.doors.free_tray(s)
            if tray is not None:
                return tray
        return None

    def start_load(self, run: RoundRun, code: str, *, phone: str | None = None,
                   size: str | None = None, procedure: str = "") -> LoadStep:
        """Blocking: reserve and open a free tray for one result."""
        code = (code or "").strip().upper()
        try:
            info = self.lookup(code)
        except RoundError as exc:
            if exc.reason != "result.unknown":
                raise
            info = None
        if info is None:                              # by hand, city unreachable
            if not phone:
                raise RoundError("phone.needed", f"{code} is not in the results list: type "
                                                 "the citizen's phone number", code=code)
            try:
                phone = normalize_phone(phone)
            except InvalidPhone as exc:
                raise RoundError("phone.invalid", str(exc)) from None
            info = {"code": code, "source": "manual", "procedure": procedure or "",
                    "size": size or "M"}
        elif info["source"] == "results":
            phone = (self.results.get(code) or {}).get("phone") or phone
        size = size or info["size"]
        if size not in SIZES:
            raise RoundError("size", f"tray size must be one of {', '.join(SIZES)}")
        txn = f"{run.id}:load:{code}"
        with self._lock:
            tray = self._free_tray(size)
            if tray is None:
                raise RoundError("tray.none_free", f"no free tray of size {size} or larger; "
                                                   "take back expired results first",
                                 size=size)
            with self.ledger.transaction():
                if self.ledger.dossier(code) is None:
                    r = self.results.get(code) if self.results is not None else None
                    self.ledger.create_dossier(
                        code=code, procedure_code=(r or {}).get("procedure_code") or
                        info.get("procedure") or "UNKNOWN",
                        procedure_name=info.get("procedure") or "", state=D.COLLECTED,
                        actor=run.actor, phone=phone, tray_size=size, channel="office",
                        reason=f"result brought by staff ({info['source']})",
                        data={"source": info["source"], "round": run.id})
                self.ledger.move_tray(tray, T.RESERVED, actor=run.actor, txn=txn,
                                      reason=f"round {run.label}: load result",
                                      dossier_code=code, purpose="result")
            step = LoadStep(code, tray, txn, size, info.get("procedure") or "",
                            info["source"], phone, run=run)
            self._loads[tray] = step
        try:
            opened = self.doors.open(tray, actor=run.actor, txn=txn,
                                     reason=f"round {run.label}: load result")
        except Exception as exc:
            log.warning("tray %s did not open for a result: %s", tray, exc)
            opened = False
        if not opened:
            with self._lock:
                self._loads.pop(tray, None)
            if self.ledger.tray(tray)["state"] == T.RESERVED.value:
                self.ledger.move_tray(tray, T.EMPTY, actor=run.actor, txn=txn,
                                      reason="door did not open; reservation dropped")
            step.status = "failed"
            run.problems.append(f"tray {tray} did not open to load {code}")
            raise RoundError("door.not_opened", f"tray {tray} did not open; try again "
                                                "(another tray will be chosen)", tray=tray)
        return step

    def _on_door(self, tray: str, door: DoorState, occupied) -> None:
        if door not in (DoorState.LOCKED, DoorState.CLOSED):
            return
        with self._lock:
            step = self._loads.pop(tray, None)
        if step is None:
            return
        try:
            self.finish_load(step, occupied)
        except Exception:
            log.exception("recording the result in tray %s failed", tray)
            step.status = "failed"
            self._emit("load.failed", step)

    def finish_load(self, step: LoadStep, occupied: bool | None) -> LoadStep:
        """The door is shut: RESULT_LOADED with the deadline, then tell the citizen."""
        with self._lock:
            self._loads.pop(step.tray, None)
        actor = step.run.actor if step.run else "staff"
        if occupied is False:
            self.ledger.move_tray(step.tray, T.EMPTY, actor=actor, txn=step.txn,
                                  reason="door closed with nothing inside; result not loaded")
            step.status = "empty"
            step.phone = None
            self._emit("load.empty", step)
            return step
        now = self.clock.now()
        deadline = now + timedelta(days=self.expiry_days)
        with self.ledger.transaction():
            self.ledger.move_tray(step.tray, T.OCCUPIED_RESULT, actor=actor, txn=step.txn,
                                  reason="result loaded, door closed", dossier_code=step.code,
                                  purpose="result")
            self.ledger.move_dossier(step.code, D.RESULT_LOADED, actor=actor, txn=step.txn,
                                     reason="result loaded into a tray", tray_id=step.tray,
                                     fields={"deadline_at": utc_iso(deadline)},
                                     data={"source": step.source})
        if self.results is not None and step.source == "results":
            self.results.mark_loaded(step.code)
        step.deadline = deadline
        step.status = "loaded"
        step.sms = self._tell(step.code, "result.ready", self.ready_text(step.code, step.tray,
                                                                         deadline),
                              phone=step.phone, key=f"result-{step.code}", actor=actor)
        step.phone = None
        if step.run is not None:
            step.run.loaded.append({"code": step.code, "tray": step.tray,
                                    "deadline": utc_iso(deadline), "sms": step.sms})
        self._emit("load.done", step)
        return step

    # ---- the periodic expiry check -----------------------------------------------------
    def start_expiry(self, every_s: float = 60.0) -> "RoundService":
        """Run ``run_expiry`` every ``every_s`` seconds on a thread of its own."""
        if getattr(self, "_expiry_thread", None) is None:
            self._expiry_stop = threading.Event()

            def loop():
                while not self._expiry_stop.wait(every_s):
                    try:
                        self.run_expiry()
                    except Exception:
                        log.exception("expiry check failed; trying again in %.0f s", every_s)
            self._expiry_thread = threading.Thread(target=loop, name="result-expiry",
                                                   daemon=True)
            self._expiry_thread.start()
        return self

    def close(self) -> None:
        thread = getattr(self, "_expiry_thread", None)
        if thread is not None:
            self._expiry_stop.set()
            thread.join(timeout=5)
            self._expiry_thread = None

    def pending_loads(self) -> list[LoadStep]:
        with self._lock:
            return list(self._loads.values())

    # ---- SMS --------------------------------------------------------------------------
    def ready_text(self, code: str, tray: str, deadline: datetime) -> str:
        return ascii_vi(f"Ket qua ho so {code} da co tai may {self.kiosk_id}, o {tray}. "
                        f"Vui long nhan truoc {fmt_deadline(deadline)}; sau han ket qua "
                        f"duoc chuyen ve {self.office or 'bo phan mot cua'}. "
                        f"Ho tro {self.hotline}.")

    def reminder_text(self, code: str, tray: str, deadline: datetime) -> str:
        return ascii_vi(f"Nhac: ket qua ho so {code} dang cho tai may {self.kiosk_id}, "
                        f"o {tray}. Han nhan: {fmt_deadline(deadline)}. "
                        f"Ho tro {self.hotline}.")

    def returned_text(self, code: str) -> str:
        where = ", ".join(p for p in (self.office, self.office_address) if p)
        return ascii_vi(f"Ket qua ho so {code} da qua han nhan tai may va duoc chuyen ve "
                        f"{where or 'bo phan mot cua'}. Mang CCCD khi den nhan. "
                        f"Ho tro {self.hotline}.")

    def _sms_request(self, code: str, template: str, text: str, *, actor: str) -> None:
        """Ask the city to send ``text`` to the phone it has for ``code`` (outbox)."""
        self.ledger.event("sms.request", actor=actor, subject=code, dossier_code=code,
                          reason=template, data={"template": template},
                          city_extra={"dossier": code, "template": template, "text": text})

    def _tell(self, code: str, template: str, text: str, *, phone: str | None, key: str,
              actor: str) -> str:
        """Send at once when the number is at hand, else (or on failure) through the
        city; returns the route."""
        if phone and self.sms is not None:
            try:
                via = str(self.sms.send(phone, text, key=key) or "sms")
                self.ledger.event("sms.sent", actor=actor, subject=code, dossier_code=code,
                                  reason=template, to_city=False,
                                  data={"template": template, "via": via,
                                        "to": mask_phone(phone)})
                return via
            except Exception as exc:
                log.warning("SMS for %s not sent directly (%s); asking the city", code, exc)
        self._sms_request(code, template, text, actor=actor)
        return "outbox"

    # ---- expiry -----------------------------------------------------------------------
    def run_expiry(self, actor: str = EXPIRY_ACTOR) -> dict:
        """Send due reminders and expire results past their deadline (idempotent)."""
        now = self.clock.now()
        reminded, expired = [], []
        remind_before = timedelta(hours=self.reminder_hours_before)
        for d in self.ledger.dossiers(state=D.RESULT_LOADED):
            if not d.get("deadline_at"):
                continue
            deadline = parse_iso(d["deadline_at"]).astimezone(self.clock.zone)
            if now >= deadline:
                with self.ledger.transaction():
                    tray = d.get("tray_id")
                    if tray and self.ledger.tray(tray)["state"] == T.OCCUPIED_RESULT.value:
                        self.ledger.move_tray(tray, T.EXPIRED, actor=actor,
                                              reason="not picked up before the deadline")
                    self.ledger.move_dossier(d["code"], D.EXPIRED, actor=actor,
                                             reason=f"not picked up by {fmt_deadline(deadline)}")
                expired.append(d["code"])
            elif (self.reminder_hours_before and not d.get("reminder_sent_at")
                  and now >= deadline - remind_before):
                with self.ledger.transaction():
                    self._sms_request(d["code"], "result.reminder",
                                      self.reminder_text(d["code"], d.get("tray_id") or "",
                                                         deadline), actor=actor)
                    self.ledger.set_dossier_fields(d["code"], actor=actor,
                                                   reason="pickup reminder sent",
                                                   reminder_sent_at=utc_iso(now))
                reminded.append(d["code"])
        return {"reminded": reminded, "expired": expired}

    # ---- report -----------------------------------------------------------------------
    def finish(self, run: RoundRun, *, print_report: bool = True) -> dict:
        """End the round: the report goes to the city (outbox) and to the printer."""
        now = self.clock.now()
        report = {"round": run.label, "run": run.id, "actor": run.actor,
                  "kiosk": self.kiosk_id, "started_at": utc_iso(run.started_at),
                  "finished_at": utc_iso(now), "collected": list(run.collected),
                  "loaded": list(run.loaded), "returned": list(run.returned),
                  "incidents": list(run.incidents), "problems": list(run.problems)}
        self.ledger.event("round.report", actor=run.actor, subject=run.id,
                          reason=f"round {run.label}: {len(run.collected)} collected, "
                                 f"{len(run.loaded)} loaded, {len(run.returned)} returned",
                          data=report)
        run.finished = True
        report["printed"] = False
        if print_report and self.printer is not None:
            try:
                image = render_report(report, self.kiosk_name, self.clock.zone)
                self.printer.print_image(image, txn=f"{run.id}:report")
                report["printed"] = True
            except Exception as exc:
                report["print_error"] = str(exc)
                log.warning("round report not printed: %s", exc)
        return report


def report_lines(report: dict, zone) -> list[tuple[str, int, bool]]:
    """(text, size, bold) lines of the printed round report."""
    def local(iso: str) -> str:
        return f"{parse_iso(iso).astimezone(zone):%H:%M %d/%m/%Y}"
    lines = [("BÁO CÁO ĐỢT THU / TRẢ", 24, True),
             (f"Đợt {report['round']} — {report['actor']}", 20, True),
             (f"Từ {local(report['started_at'])} đến {local(report['finished_at'])}", 17, False),
             (f"Mã đợt: {report['run']}", 15, False)]
    for title, key in (("Đã thu hồ sơ", "collected"), ("Đã nạp kết quả", "loaded"),
                       ("Đã mang về (quá hạn)", "returned")):
        lines.append((f"{title}: {len(report[key])}", 20, True))
        for item in report[key]:
            extra = f"  hạn {local(item['deadline'])}" if item.get("deadline") else ""
            lines.append((f"  {item['tray']}  {item['code']}{extra}", 17, False))
    if report["incidents"]:
        lines.append((f"Sự cố: {len(report['incidents'])}", 20, True))
        for item in report["incidents"]:
            lines.append((f"  {item['tray']}: {item['detail']}", 16, False))
    for p in report["problems"]:
        lines.append((f"! {p}", 16, False))
    lines.append(("Chữ ký nhân viên: ....................", 18, False))
    return lines


def render_report(report: dict, kiosk_name: str, zone, width: int = 576):
    """The round report as a 1-bit image for the receipt printer."""
    from PIL import Image, ImageDraw
    from kiosk.receipts import load_font
    items = [(kiosk_name, 18, True)] + report_lines(report, zone)
    fonts = {}
    rows = []
    y = 8
    for text, size, bold in items:
        font = fonts.setdefault((size, bold), load_font(size, bold))
        for part in _wrap(text, font, width):
            rows.append((y, part, font))
            y += size + 8
    img = Image.new("1", (width, y + 16), 1)
    draw = ImageDraw.Draw(img)
    for top, text, font in rows:
        draw.text((0, top), text, font=font, fill=0)
    return img


def _wrap(text: str, font, width: int) -> list[str]:
    words, out, line = text.split(" "), [], ""
    for w in words:
        trial = f"{line} {w}" if line else w
        if font.getlength(trial) <= width or not line:
            line = trial
        else:
            out.append(line)
            line = w
    out.append(line)
    return out


def build_round_service(cfg, ledger, doors, clock, *, sms=None, results=None,
                        printer=None) -> RoundService:
    """The round service of a profile; ``sms`` is sync's SmsRouter, ``results`` its
    ResultsInbox, ``printer`` a ``hardware.ports.Printer``."""
    return RoundService(ledger=ledger, doors=doors, clock=clock,
                        round_times=cfg.rounds.times, expiry_days=cfg.rounds.expiry_days,
                        reminder_hours_before=cfg.rounds.reminder_hours_before, sms=sms,
                        results=results, printer=printer, kiosk_id=cfg.kiosk.id,
                        kiosk_name=cfg.kiosk.name, office=cfg.kiosk.office,
                        office_address=cfg.kiosk.office_address, hotline=cfg.kiosk.hotline)


class StaffServices:
    """What the service console needs, built from the kiosk's services in one call:
    ``cfg``, ``clock``, ``staff_auth``, ``rounds``, ``diagnostics``, ``code_reader``."""

    def __init__(self, cfg, clock, staff_auth, rounds, diagnostics, code_reader=None):
        self.cfg, self.clock = cfg, clock
        self.staff_auth, self.rounds, self.diagnostics = staff_auth, rounds, diagnostics
        self.code_reader = code_reader

    def close(self) -> None:
        self.rounds.close()


def build_staff_services(services, *, expiry_every_s: float | None = 60.0) -> StaffServices:
    """From the composition root's services (cfg, clock, ledger, doors, printer, scanner,
    code_reader, modem, lock_bank, sync, device_health): staff sign-in, rounds (with the
    expiry check started every ``expiry_every_s``; None: not started) and diagnostics."""
    from kiosk.auth.staff import build_staff_auth
    from kiosk.services.diagnostics import build_diagnostics
    cfg, clock, ledger = services.cfg, services.clock, services.ledger
    get = lambda name: getattr(services, name, None)  # noqa: E731
    sync = get("sync")
    rounds = build_round_service(cfg, ledger, services.doors, clock,
                                 sms=getattr(sync, "sms", None),
                                 results=getattr(sync, "results", None),
                                 printer=get("printer"))
    diagnostics = build_diagnostics(cfg, ledger, clock, lock_bank=get("lock_bank"),
                                    printer=get("printer"), scanner=get("scanner"),
                                    code_reader=get("code_reader"), modem=get("modem"),
                                    doors=services.doors, sync=sync,
                                    health=get("device_health"))
    if expiry_every_s:
        rounds.start_expiry(expiry_every_s)
    return StaffServices(cfg, clock, build_staff_auth(cfg, ledger, clock), rounds,
                         diagnostics, get("code_reader"))
