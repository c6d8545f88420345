"""``kiosk-sim --headless --scenario day``: a busy day at the kiosk, played for real.

The kiosk runs offscreen in its own process under the launcher. Citizens come between
the staff rounds (08:00, 13:30, 16:00 by default) and hand in dossiers or pick up results
through the real screens; staff collect and load at each round; some citizens never come
back, so their results expire and go back to the office. On the way: a network outage,
device faults and power cuts (``kill -9``) at random moments. Then everything is written
into the output folder with a summary that says whether anything was lost.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

from sim.city.catalog import procedures
from sim.launcher import REPO, LaunchError, SimLauncher
from sim.scenario.citizens import make_citizens
from sim.scenario.cuts import plug_power_loss
from sim.scenario.flows import KioskDriver, Outcome
from sim.scenario.mishaps import CUT_STAGES, Mishaps
from sim.scenario.staff import StaffDriver
from sim.scenario.verdict import Verdict, _median, checks

__all__ = ["DayScenario", "CUT_STAGES", "checks", "_median"]
SMALL_PROFILE = REPO / "config" / "sim.toml"
BUSY_PROFILE = REPO / "config" / "binh-tay.toml"


class DayScenario(Mishaps, Verdict):
    def __init__(self, out: Path, *, seed: int = 1, citizens: int = 100, days: int = 1,
                 power_cuts: int | None = None, profile: str | None = None,
                 run_dir: str | None = None, pickup_share: float = 0.75,
                 log=None, power_loss: float | None = None):
        self.out = Path(out).resolve()
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_citizens = citizens
        self.days = max(1, days)
        self.power_cuts = power_cuts if power_cuts is not None else max(1, round(
            3 * citizens / 100 + 0.49))
        per_day = citizens / self.days
        self.profile = Path(profile) if profile else (
            SMALL_PROFILE if per_day <= 12 else BUSY_PROFILE)
        self.run_dir = Path(run_dir) if run_dir else self.out / "run"
        self.pickup_share = pickup_share
        # None: a cut is kill -9 only; a number: writes not yet synced are dropped too,
        # each kept with that probability (0.0: all lost), see sim/powerloss/
        self.power_loss = power_loss
        self.power_loss_report: list[dict] = []
        self.say = log or (lambda *a: None)
        self.outcomes: list[Outcome] = []
        self.faults_done: list[dict] = []
        self.cut_log: list[dict] = []
        self.staff_reports: list[dict] = []

    # -- the world -----------------------------------------------------------------------
    def _fresh_out(self) -> None:
        if self.out.exists():
            for name in ("summary.json", "sms.jsonl", "kiosk.db", "kiosk.log", "city.db",
                         "outcomes.jsonl"):
                (self.out / name).unlink(missing_ok=True)
            for sub in ("screens", "receipts"):
                shutil.rmtree(self.out / sub, ignore_errors=True)
        if self.run_dir.exists():
            if self.run_dir != self.out / "run" and any(self.run_dir.iterdir()):
                raise LaunchError(f"{self.run_dir} is not empty; a scripted day starts from "
                                  "an empty run folder (leave --run out to use OUT/run)")
            shutil.rmtree(self.run_dir)
        self.out.mkdir(parents=True, exist_ok=True)

    def _launcher(self) -> SimLauncher:
        L = SimLauncher(self.run_dir, profile=self.profile, seed=self.seed, headless=True,
                        city={"heartbeat_s": 2, "results_poll_s": 1, "retry_base_s": 0.2,
                              "retry_cap_s": 2, "timeout_s": 2},
                        city_processing_s=2 * 3600)
        if self.power_loss is not None:
            plug_power_loss(L, self.power_loss, self.rng.randrange(2**31),
                            self.power_loss_report)
        return L

    def _reconnect(self) -> None:
        if not self.driver.remote.connected:
            self.driver.connect(90)

    # -- plan -----------------------------------------------------------------------------
    def _procedures(self) -> dict[str, list[dict]]:
        """Procedures a citizen can hand in and collect at the kiosk, by tray size."""
        by_size: dict[str, list[dict]] = {}
        for p in procedures():
            if p.get("kiosk_receive", True) and p.get("kiosk_return", True):
                by_size.setdefault(p.get("tray_size", "M"), []).append(p)
        return by_size

    def _pick_procedure(self, by_size: dict[str, list[dict]]) -> dict:
        """Sizes come in the proportion the cabinet was built for; mostly free ones."""
        sizes = [p.size for p in self.launcher.places if p.size in by_size]
        size = self.rng.choice(sizes) if sizes else self.rng.choice(sorted(by_size))
        free = [p for p in by_size[size] if not p["fee"]]
        paid = [p for p in by_size[size] if p["fee"]]
        pool = free if free and (not paid or self.rng.random() < 0.75) else paid
        return self.rng.choice(pool)

    def _windows(self, day_start: datetime) -> list[tuple[str, datetime]]:
        """(name, end) of the stretches between rounds, starting before the first."""
        ends = [day_start.replace(hour=h, minute=m) for h, m in self.launcher.round_times()]
        names = ["night"] + [f"after {e:%H:%M}" for e in ends]
        ends.append(day_start.replace(hour=21, minute=0))
        return list(zip(names, ends))

    # -- run -------------------------------------------------------------------------------
    def run(self) -> dict:
        t_start = time.monotonic()
        self._fresh_out()
        self.launcher = L = self._launcher()
        citizens = make_citizens(self.n_citizens, self.seed)
        by_size = self._procedures()
        self.say(f"kiosk-sim: a day of {self.n_citizens} citizens over {self.days} day(s), "
                 f"{self.power_cuts} power cut(s), profile {self.profile.name}; run folder "
                 f"{self.run_dir}")
        L.start(kiosk=False)
        # the day starts at 06:30 tomorrow (simulated time)
        zone = L.zone()
        start = (datetime.now(zone) + timedelta(days=1)).replace(hour=6, minute=30, second=0,
                                                                  microsecond=0)
        L.set_clock_offset((start - datetime.now(zone)).total_seconds())
        self.staff = StaffDriver(L, say=self.say)
        self.staff.enrol()
        L.start_kiosk()
        self.driver = KioskDriver(L, screens_dir=L.run / "screens", on_cut=self._cut)
        self.staff.driver = self.driver
        try:
            self.driver.connect(90)
            self._play(citizens, by_size, start)
            summary = self._finish(t_start)
        finally:
            self.driver.remote.close()
            L.stop()
        self._collect_files()
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2,
                                                          ensure_ascii=False) + "\n")
        return summary

    def _play(self, citizens, by_size, start: datetime) -> None:
        L, rng = self.launcher, self.rng
        per_day = [citizens[i::self.days] for i in range(self.days)]
        # every visit number below the number of citizens surely comes (each hands in)
        span = range(2, max(3, self.n_citizens))
        cut_at = sorted(rng.sample(span, min(self.power_cuts, len(span))))
        n = self.n_citizens
        down = rng.randrange(max(1, int(n * 0.2)), max(2, int(n * 0.45)) + 1)
        outage = [down, down + max(2, int(n * 0.12))]
        # later a flaky link: dropped answers, server errors, requests applied twice
        self.flaky_span = (max(outage[1] + 1, int(n * 0.75)), max(outage[1] + 2, n))
        printer_out = rng.randrange(max(1, int(n * 0.1)), max(2, int(n * 0.9)) + 1)
        board_noise = rng.randrange(max(1, int(n * 0.1)), max(2, int(n * 0.9)) + 1)
        self.visit_no = 0
        self.waiting_pickup: list = []              # citizens told their result is ready
        no_show = set()
        codes: dict[str, object] = {}
        for day, todays in enumerate(per_day):
            day_start = start + timedelta(days=day)
            windows = self._windows(day_start)
            share = [0.3, 0.3, 0.2, 0.2][:len(windows)]
            queue = list(todays)
            for wi, (name, end) in enumerate(windows):
                n = round(len(todays) * share[wi]) if wi < len(windows) - 1 else len(queue)
                batch, queue = queue[:n], queue[n:]
                pickups = [c for c in self.waiting_pickup if c.phone not in no_show]
                self.waiting_pickup = []
                visits = [("deposit", c) for c in batch] + [("pickup", c) for c in pickups]
                rng.shuffle(visits)
                self.say(f"day {day + 1}, {name}: {len(batch)} deposits, {len(pickups)} "
                         f"pickups")
                for kind, c in visits:
                    self.visit_no += 1
                    self._faults(outage, printer_out, board_noise)
                    if self.visit_no in cut_at:
                        stage = rng.choice(CUT_STAGES if kind == "deposit" else
                                           ("pickup-open", "idle"))
                        if stage == "idle":
                            self._cut("idle")
                        else:
                            self.driver.cut_here = stage
                    self._reconnect()
                    if kind == "deposit":
                        proc = self._pick_procedure(by_size)
                        out = self.driver.deposit(c, proc["name"]["vi"],
                                                  via_qr=rng.random() < 0.5,
                                                  fee=bool(proc["fee"]))
                        if out.ok:
                            codes[out.code] = c
                            if rng.random() > self.pickup_share:
                                no_show.add(c.phone)
                    else:
                        out = self.driver.pickup(c, rate=rng.choice([None, 4, 5]))
                    self.outcomes.append(out)
                    if self.driver.cut_here is not None:
                        # the person stopped before the planned moment: cut it now
                        self.driver.cut_here = None
                        self._cut("idle")
                        self._reconnect()
                    if out.power_cut:
                        self._after_cut(c, kind)
                    elif not out.ok:
                        self.say(f"  {kind} of {c.masked_phone} stopped at {out.stage}: "
                                 f"{out.detail[:160]}")
                        self._recover_screen()
                if wi == len(windows) - 1:
                    continue                # the evening: no round until tomorrow 08:00
                # the round that closes this stretch
                if L.sim_now() < end:
                    self._advance((end - L.sim_now()).total_seconds() + 30)
                self._staff_round(codes)
        # cuts not done yet (more cuts than visits): with nobody at the machine
        while self.launcher.power_cuts < self.power_cuts:
            self._reconnect()
            self._cut("idle")
        # the results nobody came for: past the deadline, then the next round takes
        # them back to the office
        self._reconnect()
        expiry_days = int(L.profile.get("rounds", {}).get("expiry_days", 3))
        self._advance(expiry_days * 86400 + 3600)
        self.staff.wait_expiry()
        self._advance((L.next_round() - L.sim_now()).total_seconds() + 30)
        self._staff_round(codes)

    def _advance(self, seconds: float) -> None:
        """Jump the world's clock while nobody is at the screen, and give the kiosk a
        moment to see it (it re-reads the offset file a few times a second); a jump in
        the middle of someone's visit would end it as an idle timeout."""
        self.launcher.advance_clock(seconds)
        time.sleep(0.6)

    def _staff_round(self, codes: dict) -> None:
        self._reconnect()
        t0 = time.monotonic()
        report = self.staff.round()
        report["seconds"] = round(time.monotonic() - t0, 1)
        self.staff_reports.append(report)
        for code in report.get("loaded", []):
            citizen = codes.get(code)
            if citizen is not None:
                self.waiting_pickup.append(citizen)
        self.say(f"  staff round at {self.launcher.sim_now():%a %H:%M}: " +
                 ", ".join(f"{k} {len(v) if isinstance(v, list) else v}"
                           for k, v in report.items() if k != "problems" or v))
