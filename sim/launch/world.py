"""The simulated world around the kiosk: time that runs ahead of the wall clock (the
kiosk reads ``<run>/clock-offset``), the staff round times, and the network."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sim.city import FAULT_KINDS
from sim.launch.runfolder import OFFSET_FILE, LaunchError

NETWORK_MODES = ("up", "slow", "down")
CITY_FAULTS = FAULT_KINDS


class World:
    """Clock, rounds and network (a mixin of ``SimLauncher``: needs ``offset_path``,
    ``profile`` and ``city``)."""

    network_mode = "up"
    flaky_kinds: list[str] = []
    flaky_rate = 0.0

    # ---- time ------------------------------------------------------------------------
    def clock_offset(self) -> float:
        try:
            return float(self.offset_path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0.0

    def set_clock_offset(self, seconds: float) -> None:
        old = self.clock_offset()
        tmp = self.offset_path.with_name(OFFSET_FILE + ".tmp")
        tmp.write_text(f"{float(seconds):.3f}\n")
        os.replace(tmp, self.offset_path)
        if self.city is not None and seconds > old:
            self.city.advance(seconds - old)

    def advance_clock(self, seconds: float) -> float:
        self.set_clock_offset(self.clock_offset() + seconds)
        return self.clock_offset()

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.profile["kiosk"].get("timezone", "Asia/Ho_Chi_Minh"))

    def sim_now(self) -> datetime:
        return datetime.now(self.zone()) + timedelta(seconds=self.clock_offset())

    # ---- staff rounds ----------------------------------------------------------------
    def round_times(self) -> list[tuple[int, int]]:
        times = self.profile.get("rounds", {}).get("times", ["08:00", "13:30", "16:00"])
        return sorted((int(t[:2]), int(t[3:])) for t in times)

    def next_round(self, after: datetime | None = None) -> datetime:
        now = after or self.sim_now()
        for day in range(0, 3):
            base = (now + timedelta(days=day)).replace(second=0, microsecond=0)
            for h, m in self.round_times():
                at = base.replace(hour=h, minute=m)
                if at > now:
                    return at
        raise LaunchError("no round time in the profile")

    def to_next_round(self, margin_s: float = 5.0) -> datetime:
        """Fast-forward the world to a few seconds after the next staff round."""
        target = self.next_round() + timedelta(seconds=margin_s)
        self.advance_clock((target - self.sim_now()).total_seconds())
        return target

    # ---- the network -----------------------------------------------------------------
    def network(self, mode: str) -> None:
        """``up``, ``slow`` (every answer 3 s late) or ``down`` (every request dropped)."""
        if mode not in NETWORK_MODES:
            raise LaunchError(f"network mode {mode!r}; choose one of {NETWORK_MODES}")
        self.network_mode = mode
        self._apply_city_faults()

    def flaky(self, kinds: list[str] | tuple = (), rate: float = 0.0) -> None:
        """While the network is up, this share of requests meets one of the city
        simulator's faults (drop, delay, 500, 429, duplicate, reorder, cut)."""
        unknown = [k for k in kinds if k not in CITY_FAULTS]
        if unknown:
            raise LaunchError(f"unknown city faults {unknown}; choose among {CITY_FAULTS}")
        if not 0.0 <= rate <= 1.0:
            raise LaunchError(f"fault rate {rate} must be between 0 and 1")
        self.flaky_kinds, self.flaky_rate = list(kinds), float(rate)
        self._apply_city_faults()

    def _apply_city_faults(self) -> None:
        if self.network_mode == "down":
            plan = {"rate": 0.0, "down": True}
        elif self.network_mode == "slow":
            plan = {"rate": 1.0, "kinds": ["delay"], "delay_s": 3.0, "down": False}
        elif self.flaky_kinds and self.flaky_rate > 0:
            plan = {"rate": self.flaky_rate, "kinds": self.flaky_kinds, "delay_s": 0.5,
                    "down": False}
        else:
            plan = {"rate": 0.0, "down": False}
        self.city.set_faults(plan)
