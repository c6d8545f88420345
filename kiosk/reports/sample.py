"""A scripted stretch of kiosk life written through the real ledger, with its own tally.

Citizens hand in dossiers, staff collect and load results in two rounds a day, results
are picked up (some after paying a fee), expire and go back to the office, and citizens
rate the kiosk. Every move goes through ``Ledger`` and its state machines, on the clock
the script moves. The script counts what it did itself (``Tally``), by the local day it
did it, so a test can hold the report's figures against an independent count; the bench
and the pictures in docs/ use the same run.

Supplements (``SUPPLEMENT_REQUESTED``/``SUPPLEMENTED``) are played only when the state
machine has those states (after-deposit work); otherwise that column stays 0 on both
sides.
"""
from __future__ import annotations

import heapq
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from kiosk.clock import utc_iso
from kiosk.models import DossierState as D, TrayState as T

# National codes and names (as in the city's 2025 catalog) of a ward centre's busiest
# procedures, with a fee and a weight (how often citizens come for it).
PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", 0, 20),
    ("1.000894", "Đăng ký kết hôn", 0, 8),
    ("1.000656", "Đăng ký khai tử", 0, 5),
    ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", 3000, 14),
    ("2.000635", "Cấp bản sao Trích lục hộ tịch", 8000, 12),
    ("1.004884", "Đăng ký lại khai sinh", 5000, 3),
    ("1.004746", "Đăng ký lại kết hôn", 5000, 2),
    ("1.005461", "Đăng ký lại khai tử", 5000, 1),
    ("1.004837", "Đăng ký giám hộ", 0, 2),
    ("1.001022", "Đăng ký nhận cha, mẹ, con", 0, 3),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 2000, 18),
    ("2.000884", "Chứng thực chữ ký trong giấy tờ, văn bản", 10000, 9),
    ("1.004222", "Đăng ký thường trú", 0, 6),
    ("1.004194", "Đăng ký tạm trú", 0, 5),
]
ROUNDS = (time(8, 0), time(16, 0))
EXPIRY = timedelta(days=3)
HAS_SUPPLEMENTS = hasattr(D, "SUPPLEMENTED")


@dataclass
class Tally:
    """What the script did, by (local date, procedure code): the report must agree."""

    cells: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    scores: dict = field(default_factory=lambda: defaultdict(list))
    waits_h: list = field(default_factory=list)

    def add(self, day: date, code: str, column: str, n: int = 1) -> None:
        self.cells[(day, code)][column] += n


class ScriptedRun:
    """Plays ``days`` days from ``start`` on ``ledger`` (its clock must be a
    ``ManualClock`` at or before ``start``); ``citizens`` per day on average."""

    def __init__(self, ledger, *, seed: int = 1, citizens: int = 45):
        self.ledger, self.clock = ledger, ledger.clock
        self.rng = random.Random(seed)
        self.citizens = citizens
        self.tally = Tally()
        self._queue: list = []
        self._n = 0
        self._loaded: dict[str, datetime] = {}
        self._waiting_result: list[str] = []       # collected, result ready to load
        self.paid: dict[str, int] = {}

    # ---- the clock and the queue --------------------------------------------------
    def at(self, when: datetime, fn, *args) -> None:
        self._n += 1
        heapq.heappush(self._queue, (when, self._n, fn, args))

    def run_until(self, end: datetime) -> None:
        while self._queue and self._queue[0][0] < end:
            when, _, fn, args = heapq.heappop(self._queue)
            if when > self.clock.now():
                self.clock.set(when)
            fn(*args)
        if end > self.clock.now():
            self.clock.set(end)

    def plan_days(self, start: date, days: int) -> None:
        """Queue the citizens and the rounds of ``days`` days from ``start``."""
        weights = [p[3] for p in PROCEDURES]
        zone = self.clock.zone
        for i in range(days):
            day = start + timedelta(days=i)
            for r in ROUNDS:
                self.at(datetime.combine(day, r, zone), self.round)
            n = max(0, int(self.rng.gauss(self.citizens, self.citizens / 5)))
            for _ in range(n):
                # a 24/7 kiosk: most come in the day, a few around midnight
                minute = self.rng.choice([self.rng.randint(6 * 60, 22 * 60)] * 9 +
                                         [self.rng.randint(0, 24 * 60 - 1)])
                when = datetime.combine(day, time(0), zone) + timedelta(
                    minutes=minute, seconds=self.rng.randint(0, 59))
                proc = self.rng.choices(PROCEDURES, weights)[0]
                self.at(when, self.deposit, proc)

    def day(self) -> date:
        return self.clock.now().date()

    # ---- citizens -----------------------------------------------------------------
    def _open_close(self, tray: str, end_state, *, actor: str, reason: str, code=None,
                    purpose=None) -> None:
        led = self.ledger
        led.move_tray(tray, T.UNLOCKING, actor=actor, reason=reason)
        led.move_tray(tray, T.OPEN, actor=actor, reason="door opened")
        kwargs = {} if end_state == T.EMPTY else {"dossier_code": code, "purpose": purpose}
        led.move_tray(tray, end_state, actor=actor, reason="door closed", **kwargs)

    def _free_tray(self) -> str | None:
        free = self.ledger.trays(state=T.EMPTY)
        return free[0]["id"] if free else None

    def deposit(self, proc) -> None:
        code, name, fee, _ = proc
        led, rng = self.ledger, self.rng
        online = rng.random() < 0.1
        tray = None if online else self._free_tray()
        if tray is None and not online:
            return                                    # no free tray: comes back another day
        payment = "paid" if fee == 0 or rng.random() < 0.8 else "at_counter"
        with led.transaction():
            d = led.create_dossier(procedure_code=code, procedure_name=name, state=D.DRAFT,
                                   actor="citizen", fee=fee,
                                   phone=f"091{rng.randint(1000000, 9999999)}")
            backs_out = rng.random() < 0.08           # not a deposit
            if backs_out:
                led.move_dossier(d["code"], D.CANCELLED, actor="citizen",
                                 reason="citizen backed out")
            elif online:
                led.move_dossier(d["code"], D.SUBMITTED_ONLINE, actor="citizen",
                                 reason="scanned and sent", data={"payment": payment},
                                 fields={"payment": payment})
            else:
                led.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit",
                              dossier_code=d["code"], purpose="deposit")
                self._open_close(tray, T.OCCUPIED_DEPOSIT, actor="citizen",
                                 reason="deposit", code=d["code"], purpose="deposit")
                led.move_dossier(d["code"], D.DEPOSITED, actor="citizen",
                                 reason="door closed", tray_id=tray,
                                 data={"payment": payment}, fields={"payment": payment})
        if backs_out:
            if rng.random() < 0.3:
                self.rate(None, "")                   # rates the kiosk on the way out
            return
        self.tally.add(self.day(), code, "deposited")
        if payment == "paid" and fee:
            self.tally.add(self.day(), code, "fees_vnd", fee)
        if online:
            self._collected(d["code"])

    def _collected(self, code: str) -> None:
        days = self.rng.choice([1, 1, 2, 2, 3, 5])
        self.at(self.clock.now() + timedelta(days=days, hours=self.rng.random()),
                self._result_ready, code)

    def _result_ready(self, code: str) -> None:
        self._waiting_result.append(code)

    def pickup(self, code: str) -> None:
        led = self.ledger
        d = led.dossier(code)
        if d["state"] not in (D.RESULT_LOADED.value, D.EXPIRED.value):
            return                                    # taken back to the office already
        fee_due = self.paid.get(code, 0)
        data = {"payment_id": f"PAY-{code}", "amount": fee_due} if fee_due else None
        with led.transaction():
            self._open_close(d["tray_id"], T.EMPTY, actor="citizen", reason="pickup")
            led.move_dossier(code, D.PICKED_UP, actor="citizen", reason="picked up",
                             tray_id=None, data=data)
        self.tally.add(self.day(), d["procedure_code"], "picked_up")
        if fee_due:
            self.tally.add(self.day(), d["procedure_code"], "fees_vnd", fee_due)
        self.tally.waits_h.append((self.clock.now() - self._loaded[code]).total_seconds()
                                  / 3600)
        if self.rng.random() < 0.7:
            self.rate(code, d["procedure_code"])

    def rate(self, code: str | None, proc: str) -> None:
        score = self.rng.choices([5, 4, 3, 2, 1], [50, 30, 10, 6, 4])[0]
        led = self.ledger
        with led.transaction():
            led.store.execute(
                "INSERT INTO ratings(at, dossier_code, score, flow) VALUES (?, ?, ?, ?)",
                (self.clock.now().isoformat(timespec="seconds"), code, score,
                 "dossier" if code else "kiosk"))
            led.event("rating.given", actor="citizen", subject=code or "kiosk",
                      data={"score": score}, dossier_code=code)
        self.tally.add(self.day(), proc, "ratings")
        self.tally.scores[(self.day(), proc)].append(score)

    # ---- staff rounds ---------------------------------------------------------------
    def round(self) -> None:
        led, rng, now = self.ledger, self.rng, self.clock.now()
        for d in led.dossiers(state=[D.DEPOSITED] + ([D.SUPPLEMENTED] if HAS_SUPPLEMENTS
                                                     else [])):
            with led.transaction():
                self._open_close(d["tray_id"], T.EMPTY, actor="staff:nv01", reason="collect")
                led.move_dossier(d["code"], D.COLLECTED, actor="staff:nv01",
                                 reason="collected")
            self._collected(d["code"])
        for d in led.dossiers(state=D.RESULT_LOADED):
            if d["deadline_at"] and datetime.fromisoformat(
                    d["deadline_at"].replace("Z", "+00:00")) <= now:
                with led.transaction():
                    led.move_tray(d["tray_id"], T.EXPIRED, actor="system", reason="expired",
                                  dossier_code=d["code"], purpose="result")
                    led.move_dossier(d["code"], D.EXPIRED, actor="system",
                                     reason="3 days passed")
                self.tally.add(self.day(), d["procedure_code"], "expired")
        for d in led.dossiers(state=D.EXPIRED):
            if rng.random() < 0.8:
                with led.transaction():
                    self._open_close(d["tray_id"], T.EMPTY, actor="staff:nv01",
                                     reason="take back")
                    led.move_dossier(d["code"], D.RETURNED_TO_OFFICE, actor="staff:nv01",
                                     reason="taken back to the office", tray_id=None)
                self.tally.add(self.day(), d["procedure_code"], "returned_to_office")
        waiting, self._waiting_result = self._waiting_result, []
        for code in waiting:
            if not self.load(code):
                self._waiting_result.append(code)

    def load(self, code: str) -> bool:
        led, rng = self.ledger, self.rng
        d = led.dossier(code)
        if d["state"] != D.COLLECTED.value:
            return True
        if HAS_SUPPLEMENTS and rng.random() < 0.05:
            return self._supplement(d)
        tray = self._free_tray()
        if tray is None:
            return False
        kind = "refusal" if rng.random() < 0.04 else "result"
        deadline = self.clock.now() + EXPIRY
        with led.transaction():
            led.move_tray(tray, T.RESERVED, actor="staff:nv01", reason="load",
                          dossier_code=code, purpose="result")
            self._open_close(tray, T.OCCUPIED_RESULT, actor="staff:nv01", reason="load",
                             code=code, purpose="result")
            led.move_dossier(code, D.RESULT_LOADED, actor="staff:nv01",
                             reason=f"{kind} loaded", tray_id=tray,
                             data={"result_kind": kind},
                             fields={"deadline_at": utc_iso(deadline)})
        self._loaded[code] = self.clock.now()
        if kind == "refusal":
            self.tally.add(self.day(), d["procedure_code"], "refused")
        elif rng.random() < 0.3:
            self.paid[code] = rng.choice([10000, 20000, 50000])
        delay = timedelta(hours=rng.choice([1, 2, 3, 5, 8, 20, 24, 28, 44, 60, 80]) *
                          (0.5 + rng.random()))
        if rng.random() < 0.9:
            self.at(self.clock.now() + delay, self.pickup, code)
        return True

    def _supplement(self, d: dict) -> bool:
        led = self.ledger
        led.move_dossier(d["code"], D.SUPPLEMENT_REQUESTED, actor="city",
                         reason="papers missing")
        self.at(self.clock.now() + timedelta(days=1, hours=3), self._supplemented, d["code"])
        return True

    def _supplemented(self, code: str) -> None:
        led = self.ledger
        tray = self._free_tray()
        if tray is None:
            return
        d = led.dossier(code)
        with led.transaction():
            led.move_tray(tray, T.RESERVED, actor="citizen", reason="supplement",
                          dossier_code=code, purpose="deposit")
            self._open_close(tray, T.OCCUPIED_DEPOSIT, actor="citizen", reason="supplement",
                             code=code, purpose="deposit")
            led.move_dossier(code, D.SUPPLEMENTED, actor="citizen",
                             reason="papers added", tray_id=tray)
        self.tally.add(self.day(), d["procedure_code"], "supplemented")


def scripted_period(ledger, start: date, days: int, *, seed: int = 1,
                    citizens: int = 45) -> ScriptedRun:
    """Play ``days`` days from ``start`` and the morning after (late pickups)."""
    run = ScriptedRun(ledger, seed=seed, citizens=citizens)
    run.plan_days(start, days)
    run.run_until(datetime.combine(start + timedelta(days=days), time(0), ledger.clock.zone))
    return run
