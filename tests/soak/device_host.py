"""The simulators (lock-board buses on ptys, the city server) in a child process.

So that the soak's resident-memory figure is the kiosk's alone: the simulators keep
frame logs and a city database of their own that grow with the days, as real devices
and a real city server would, outside the kiosk.
"""
from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path


def _serve(conn, folder: str, buses: dict, seed: int, city_faults: dict, tokens: dict):
    from sim.city import CitySim
    from sim.lockboard import SimLockBus

    folder_p = Path(folder)
    sims = {bus: SimLockBus(folder_p / "dev" / bus, boards=boards, seed=seed)
            for bus, boards in buses.items()}
    city = CitySim(folder_p / "city" / "city.db", seed=seed, tokens=tokens,
                   processing_s=3600).start()
    city.set_faults(**city_faults)
    calls = {"city.stats": city.stats,
             "city.event_keys": lambda kiosk: [r["key"] for r in city.db.query(
                 "SELECT key FROM events WHERE kiosk_id = ?", (kiosk,))]}
    conn.send({"paths": {b: s.path for b, s in sims.items()}, "api_url": city.api_url})
    try:
        while True:
            msg = conn.recv()
            if msg is None:
                break
            target, method, args = msg
            try:
                fn = calls.get(f"{target}.{method}") or getattr(sims[target], method)
                conn.send(("ok", fn(*args)))
            except Exception as exc:   # noqa: BLE001 - the caller raises it
                conn.send(("err", f"{type(exc).__name__}: {exc}"))
    finally:
        city.stop()
        for s in sims.values():
            s.close()
        conn.send(("closed", None))


class DeviceHost:
    """``host.bus('bus-a').close_door(board, lock)``, ``host.city('stats')``, ``close()``."""

    def __init__(self, folder: Path, buses: dict[str, list[int]], *, seed: int,
                 city_faults: dict, tokens: dict):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, name="soak-devices", daemon=True,
                                 args=(child, str(folder), buses, seed, city_faults, tokens))
        self._proc.start()
        child.close()
        if not self._conn.poll(60):
            self._proc.kill()
            raise RuntimeError("the device simulators did not start within 60 s")
        hello = self._conn.recv()
        self.paths: dict[str, str] = hello["paths"]
        self.api_url: str = hello["api_url"]
        self._lock = threading.Lock()
        self._closed = False

    def call(self, target: str, method: str, *args):
        with self._lock:
            self._conn.send((target, method, args))
            status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"simulator {target}.{method}{args}: {value}")
        return value

    def bus(self, bus_id: str) -> "_Proxy":
        return _Proxy(self, bus_id)

    def city(self, method: str, *args):
        return self.call("city", method, *args)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            with self._lock:
                self._conn.send(None)
                if self._conn.poll(30):
                    self._conn.recv()
        except (OSError, EOFError):
            pass
        self._proc.join(timeout=30)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(timeout=5)
        self._conn.close()


class _Proxy:
    def __init__(self, host: DeviceHost, target: str):
        self._host, self._target = host, target

    def __getattr__(self, method: str):
        return lambda *args: self._host.call(self._target, method, *args)
