"""The cabinet as the simulated hardware has it (doors, paper, latch pulses on the lock
boards), beside what the kiosk's database says about its trays, read-only."""
from __future__ import annotations

import sqlite3
import threading

from sim.launch.runfolder import LaunchError, TrayPlace
from sim.lockboard import SimLockBus


class Cabinet:
    """Trays on the simulated boards (a mixin of ``SimLauncher``: needs ``places``,
    ``buses`` and ``db_path``)."""

    def _init_cabinet(self) -> None:
        self.forced: set[str] = set()          # trays a person pried open (tamper)
        self._unlocks: list[str] = []
        self._pulses: dict[tuple, int] = {}
        self._unlock_lock = threading.Lock()

    def place(self, tray: str) -> TrayPlace:
        for p in self.places:
            if p.tray == tray:
                return p
        raise LaunchError(f"no tray {tray!r} on a simulated lock board")

    def bus_of(self, tray: str) -> tuple[SimLockBus, TrayPlace]:
        p = self.place(tray)
        return self.buses[p.bus], p

    def door_open(self, tray: str) -> bool:
        bus, p = self.bus_of(tray)
        return bus.is_open(p.board, p.lock)

    def close_door(self, tray: str) -> None:
        bus, p = self.bus_of(tray)
        self.forced.discard(tray)
        bus.close_door(p.board, p.lock)

    def force_open(self, tray: str) -> None:
        bus, p = self.bus_of(tray)
        self.forced.add(tray)
        bus.force_open(p.board, p.lock)

    def put_paper(self, tray: str) -> None:
        bus, p = self.bus_of(tray)
        bus.put_item(p.board, p.lock)

    def take_paper(self, tray: str) -> None:
        bus, p = self.bus_of(tray)
        bus.remove_item(p.board, p.lock)

    def cabinet(self) -> dict[str, dict]:
        """Each tray's door and content as the simulated hardware has it."""
        snaps = {bid: bus.snapshot() for bid, bus in self.buses.items()}
        out = {}
        for p in self.places:
            b = snaps[p.bus][p.board]
            i = p.lock - 1
            door = "open" if b["door_open"][i] else ("locked" if b["hook"][i] else "closed")
            if p.tray in self.forced and b["door_open"][i]:
                door = "tampered"
            out[p.tray] = {"door": door, "paper": b["item"][i], "pulses": b["pulses"][i],
                           "size": p.size, "bus": p.bus, "board": p.board, "lock": p.lock,
                           "faults": sorted(b["faults"])}
        return out

    def unlocks_seen(self) -> list[str]:
        """Trays whose latch the boards pulsed, in order across all buses (a retried
        unlock appears once per pulse)."""
        with self._unlock_lock:
            return list(self._unlocks)

    def _watch_pulses(self, bus_id: str, bus: SimLockBus) -> None:
        by_lock = {(p.board, p.lock): p.tray for p in self.places if p.bus == bus_id}

        def changed():
            with self._unlock_lock:
                for addr, board in bus.boards.items():
                    for i, count in enumerate(list(board.pulses)):
                        key = (bus_id, addr, i + 1)
                        before = self._pulses.get(key, 0)
                        if count > before:
                            self._unlocks.extend([by_lock.get((addr, i + 1),
                                                              f"{bus_id}:{addr}:{i + 1}")]
                                                 * (count - before))
                            self._pulses[key] = count

        bus.add_listener(changed)

    def kiosk_trays(self) -> dict[str, dict]:
        """What the kiosk's database says about each tray (read-only; {} before it exists)."""
        if not self.db_path.exists():
            return {}
        try:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=1.0)
            try:
                conn.row_factory = sqlite3.Row
                rows = conn.execute("SELECT id, state, dossier_code, purpose FROM trays"
                                    ).fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return {}
        return {r["id"]: dict(r) for r in rows}
