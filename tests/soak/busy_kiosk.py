"""A busy district kiosk, day after simulated day, on the real services.

Ledger on SQLite, the door service on the lock-board simulator (two buses on ptys, the
90 trays of config/binh-tay.toml), the citizen and round services, and the outbox sent
to the city simulator over HTTP with injected faults. Each day: citizens deposit, staff
collect at 08:00/13:30/16:00 and load yesterday's results at 08:00, most citizens pick
their result up, some let it expire and staff take it back. Faults: a lock board goes
silent, a door is left open, the city link drops requests.

The scripted day of the simulator (sim/) replaces this world in the crash-loop and the
long soak once it exists: ``BusyKiosk.run_day`` is the place to call it from.
"""
from __future__ import annotations

import gc
import random
import re
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from hardware.lockboard.factory import build_lock_bank
from kiosk.alerts import AlertBook
from kiosk.auth.otp import OtpService
from kiosk.clock import ManualClock, parse_iso
from kiosk.config import parse_config
from kiosk.journal import verify_chain
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import Pii
from kiosk.services.citizen import Catalog, CitizenError, CitizenService
from kiosk.services.doors import DoorService
from kiosk.services.ledger import Ledger
from kiosk.services.rounds import RoundService
from kiosk.store import Store
from sync.client import CityClient
from sync.errors import CityError
from sync.outbox import OutboxSender
from sync.schema import ensure_schema
from tests.soak.device_host import DeviceHost

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-soak-0123456789"
KIOSK = "SOAK-Q6-01"
STAFF = "staff:nv01"
CATALOG = [
    {"code": "1.001193", "name": {"vi": "Đăng ký khai sinh"}, "category": {"vi": "Hộ tịch"},
     "fee": 0, "tray_size": "S", "documents": {"vi": ["Tờ khai"]}},
    {"code": "2.000815", "name": {"vi": "Chứng thực bản sao"}, "category": {"vi": "Chứng thực"},
     "fee": 0, "tray_size": "M", "documents": {"vi": ["Bản chính"]}},
    {"code": "1.013225", "name": {"vi": "Cấp phép xây dựng"}, "category": {"vi": "Xây dựng"},
     "fee": 0, "tray_size": "L", "documents": {"vi": ["Bản vẽ"]}},
]
ZONE_START = datetime(2026, 12, 1, 7, 0)


class SmsEdge:
    """The SMS gateway edge: keeps only the last code per phone (no growth)."""

    def __init__(self):
        self.last: dict[str, str] = {}
        self.count = 0

    def otp_send(self, phone, text, *, key):
        self.count += 1
        self.last[phone] = re.search(r"\b(\d{6})\b", text).group(1)

    def send(self, phone, text, *, key):
        self.count += 1
        return key


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass
class DayFigures:
    day: int
    deposits: int = 0
    turned_away: int = 0
    picked_up: int = 0
    returned: int = 0
    loaded: int = 0
    load_waits: int = 0          # results that waited a day for a free tray
    faults: list[str] = field(default_factory=list)
    rss_kb: int = 0
    db_bytes: int = 0
    outbox_left: int = 0
    journal_rows: int = 0


class BusyKiosk:
    def __init__(self, folder: Path, *, seed: int = 1, city_fault_rate: float = 0.05):
        self.folder = Path(folder)
        self.rng = random.Random(seed)
        data = tomllib.loads((ROOT / "config" / "binh-tay.toml").read_text("utf-8"))
        boards = {bus["id"]: [b["address"] for c in data["cabinets"] for b in c["boards"]
                              if b["bus"] == bus["id"]] for bus in data["lock_buses"]}
        self.host = DeviceHost(self.folder, boards, seed=seed, tokens={TOKEN: KIOSK},
                               city_faults={"rate": city_fault_rate, "retry_after_s": 0,
                                            "kinds": ["drop", "500", "duplicate",
                                                      "reorder", "429"]})
        self.buses = {bus_id: self.host.bus(bus_id) for bus_id in boards}
        for bus in data["lock_buses"]:
            bus["port"] = self.host.paths[bus["id"]]
        data["kiosk"]["data_dir"] = str(self.folder)
        self.cfg = parse_config(data, "soak-profile", str(self.folder))
        self.spec = {t.id: t for t in self.cfg.trays()}
        self.clock = ManualClock(ZONE_START)
        self.store = Store.open(self.folder / "kiosk.db")
        ensure_schema(self.store)
        self.ledger = Ledger(self.store, self.clock, Pii(b"soak-key-0123456789abcdef012345"),
                             kiosk_id=KIOSK)
        self.ledger.sync_trays(self.cfg.trays())
        self.bank = build_lock_bank(self.cfg)
        self.doors = DoorService(self.ledger, self.bank, self.clock, poll_s=2.0,
                                 busy_poll_s=0.5, confirm_s=0.3, confirm_poll_s=0.02,
                                 door_open_alert_s=120)
        self.sms = SmsEdge()
        self.otp = OtpService(self.clock, b"soak-otp-key-0123456789abcdef012", self.sms.otp_send)
        self.citizen = CitizenService(ledger=self.ledger, clock=self.clock, pii=self.ledger.pii,
                                      otp=self.otp, doors=self.doors, catalog=Catalog(CATALOG),
                                      sms=self.sms, kiosk_id=KIOSK)
        self.rounds = RoundService(ledger=self.ledger, doors=self.doors, clock=self.clock,
                                   kiosk_id=KIOSK)
        self.alerts = AlertBook(self.ledger, self.clock)
        self.alerts.watch_doors(self.doors)
        self.alerts.watch_devices(self.bank.health)
        self.alerts.watch_outbox()
        self.client = CityClient(self.host.api_url, TOKEN, KIOSK, timeout_s=5)
        self.outbox = OutboxSender(self.store, self.client, self.clock, batch_size=50)
        self.phones: dict[str, str] = {}       # dossier code -> phone (the citizen's memory)
        self.pickup_day: dict[str, int] = {}   # dossier code -> day its citizen comes
        self.serial = 0
        self.day = 0
        self.doors.poll_once()

    # ---- hands on the cabinet -------------------------------------------------------
    def _shut(self, tray: str, item: bool) -> None:
        spec = self.spec[tray]
        bus = self.buses[spec.bus]
        (bus.put_item if item else bus.remove_item)(spec.board, spec.lock)
        bus.close_door(spec.board, spec.lock)
        self.doors.poll_once()

    def _phone(self) -> str:
        self.serial += 1
        return f"09{self.serial % 10**8:08d}"

    # ---- the day's work ---------------------------------------------------------------
    def deposit(self, fig: DayFigures) -> None:
        proc = self.rng.choice(CATALOG)["code"]
        phone = self._phone()
        dep = self.citizen.start_deposit(proc)
        self.citizen.identify(dep, f"079{self.serial % 10**9:09d}|"
                                   f"|Trần Thị Mai|01011960|Nữ|Q6|01012021")
        self.citizen.deposit_phone(dep, phone)
        self.citizen.deposit_code(dep, self.sms.last.pop(phone))
        try:
            tray = self.citizen.reserve_tray(dep)
        except CitizenError:
            self.citizen.cancel(dep, "no free tray")
            fig.turned_away += 1
            return
        if not self.citizen.open_tray(dep):
            self.citizen.cancel(dep, "door did not open")
            fig.faults.append(f"{tray} did not open")
            return
        self._shut(tray, item=True)
        if dep.finished:
            self.phones[dep.code] = phone
            fig.deposits += 1

    def round(self, fig: DayFigures, *, load: bool) -> None:
        run = self.rounds.begin(STAFF)
        self.rounds.run_expiry()
        for purpose in ("collect", "retrieve"):
            while (step := self.rounds.open_next(run, purpose)) is not None:
                if not step.opened:
                    break
                self.rounds.confirm_taken(run, step, scanned=step.dossier_code)
                self._shut(step.tray, item=False)
                if purpose == "retrieve":
                    fig.returned += 1
                    self.phones.pop(step.dossier_code, None)
                    self.pickup_day.pop(step.dossier_code, None)
        if not load:
            return
        processed_before = self.clock.now() - timedelta(hours=12)   # the city takes a night
        for d in self.ledger.dossiers(state=D.COLLECTED):
            if parse_iso(d["collected_at"]) > processed_before:
                continue
            try:
                step = self.rounds.start_load(run, d["code"], phone=self.phones[d["code"]],
                                              size=d["tray_size"])
            except Exception as exc:   # noqa: BLE001 - no tray: the result waits a day
                if getattr(exc, "reason", "") != "tray.none_free":
                    raise
                fig.load_waits += 1
                continue
            self._shut(step.tray, item=True)
            fig.loaded += 1
            r = self.rng.random()     # 85 % come the same day, 7 % the next, 8 % never
            self.pickup_day[d["code"]] = self.day if r < 0.85 else \
                self.day + 1 if r < 0.92 else -1

    def pickups(self, fig: DayFigures, limit: int = 10**6) -> None:
        for d in self.ledger.dossiers(state=D.RESULT_LOADED):
            if self.pickup_day.get(d["code"]) != self.day:
                continue
            if limit <= 0:
                return
            limit -= 1
            phone = self.phones[d["code"]]
            challenge = self.citizen.send_code(phone)
            self.citizen.check_code(challenge, self.sms.last.pop(phone))
            for found in self.citizen.results_for(phone):
                txn = f"pickup-{found['code']}"
                if self.citizen.open_result(found, txn):
                    self._shut(found["tray_id"], item=False)
                    self.citizen.finish_pickup(found, txn)
                    fig.picked_up += 1
                    self.phones.pop(found["code"], None)
                    self.pickup_day.pop(found["code"], None)

    def sync(self) -> None:
        for _ in range(200):
            if self.outbox.depth() == 0:
                return
            try:
                self.outbox.send_batch()
            except CityError:
                continue

    def inject_fault(self, fig: DayFigures) -> None:
        kind = self.rng.choice(["board", "door", "none"])
        if kind == "board":
            bus = self.buses["bus-b"]
            board = self.rng.choice([2, 3, 4, 5])
            bus.set_fault(board, "silent")
            self.doors.poll_once()
            self.alerts.evaluate()
            bus.set_fault(board, "silent", False)
            self.doors.poll_once()
            fig.faults.append(f"board {board} silent")
        elif kind == "door":
            free = self.doors.free_tray("S")
            if free:
                with self.ledger.transaction():
                    self.ledger.move_tray(free, T.RESERVED, actor="technician:kt01",
                                          reason="latch test", txn=f"test-{self.day}")
                self.doors.open(free, actor="technician:kt01", reason="latch test",
                                txn=f"test-{self.day}")
                self.clock.advance(150)
                self.doors.poll_once()
                self.alerts.evaluate()
                self._shut(free, item=False)
                self.ledger.move_tray(free, T.EMPTY, actor="technician:kt01",
                                      reason="latch test done", txn=f"test-{self.day}")
                fig.faults.append(f"door {free} left open")

    def _at(self, hour: int, minute: int = 0) -> None:
        now = self.clock.now()
        target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target > now:
            self.clock.set(target)

    def run_day(self, per_day: int) -> DayFigures:
        """One day at the kiosk (the scripted day of the simulator plugs in here)."""
        self.day += 1
        fig = DayFigures(self.day)
        self._at(8)
        self.round(fig, load=True)
        rounds_done = {(8, 0)}
        for n in range(per_day):
            h, m = 8 + (n * 12) // per_day, (n * 37) % 60
            self._at(h, m)
            for r in ((13, 30), (16, 0)):
                if (h, m) >= r and r not in rounds_done:
                    self.round(fig, load=False)
                    rounds_done.add(r)
            self.deposit(fig)
            if n % 5 == 4:
                self.pickups(fig, limit=max(1, per_day // 8))
            if n % 5 == 4:
                self.sync()
        self._at(20)
        self.pickups(fig)
        if self.day % 3 == 0:
            self.inject_fault(fig)
        self._at(21)
        self.alerts.evaluate()
        self.sync()
        self.clock.advance(hours=10)
        return self.measure(fig)

    def measure(self, fig: DayFigures) -> DayFigures:
        gc.collect()
        fig.rss_kb = rss_kb()
        fig.db_bytes = self.db_bytes()
        fig.outbox_left = self.outbox.depth()
        fig.journal_rows = self.store.query_one("SELECT COUNT(*) n FROM journal")["n"]
        return fig

    def db_bytes(self) -> int:
        with self.store._lock:
            self.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in self.folder.glob("kiosk.db*"))

    # ---- what must hold ---------------------------------------------------------------
    def check(self) -> dict:
        self.sync()
        assert self.outbox.depth() == 0, "events still waiting after the last sync"
        rows = self.store.query("SELECT * FROM journal ORDER BY seq")
        chain = verify_chain(rows, self.ledger.journal_head())
        assert chain.ok, chain
        keys = self.host.city("event_keys", KIOSK)
        mine = {r["key"] for r in self.store.query("SELECT key FROM outbox")}
        assert len(keys) == len(set(keys)), "an event reached the city twice"
        assert set(keys) == mine, "events lost on the way to the city"
        bad = self.ledger.trays(state=[T.UNKNOWN, T.FAULT, T.TAMPERED, T.UNLOCKING, T.OPEN])
        assert bad == [], bad
        dossiers = self.store.query_one("SELECT COUNT(*) n FROM dossiers "
                                        "WHERE state != 'CANCELLED'")["n"]
        return {"journal_rows": len(rows), "city_events": len(keys), "dossiers": dossiers}

    def close(self) -> None:
        for closer in (self.rounds.close, self.doors.close, self.bank.close,
                       self.client.close, self.store.close, self.host.close):
            try:
                closer()
            except Exception:   # noqa: BLE001 - close everything we can
                pass


def table(figs: list[DayFigures], summary: dict) -> str:
    head = (f"{'day':>3} {'dep':>4} {'away':>4} {'load':>4} {'wait':>4} {'pick':>4} {'back':>4} "
            f"{'RSS MB':>7} {'DB MB':>6} {'journal':>7} {'left':>4}  faults")
    lines = ["dep: deposits, away: citizens turned away (no free tray), load: results loaded,",
             "wait: results waiting a day for a free tray, pick: picked up, back: expired and",
             "taken back; RSS of the kiosk side (simulators run in a child process)", head]
    for f in figs:
        lines.append(f"{f.day:>3} {f.deposits:>4} {f.turned_away:>4} {f.loaded:>4} {f.load_waits:>4} "
                     f"{f.picked_up:>4} {f.returned:>4} {f.rss_kb / 1024:>7.1f} "
                     f"{f.db_bytes / 2**20:>6.2f} {f.journal_rows:>7} {f.outbox_left:>4}  "
                     f"{', '.join(f.faults)[:60]}")
    lines += [f"{k}: {v}" for k, v in summary.items()]
    return "\n".join(lines)


__all__ = ["BusyKiosk", "DayFigures", "table", "threading"]
