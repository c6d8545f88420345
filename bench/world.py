"""Every device simulator and the city on one machine, and a profile that points at them.

The benchmarks that start the whole kiosk (cold start, memory) run it against this world
with the real composition root (``kiosk.app.build_services``), exactly as ``kiosk run``
does, so that serial ports, the city link and the database are really opened.
"""
from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from kiosk.config import DEFAULT_CONFIG
from sim.city import CitySim
from sim.codereader import CodeReaderSim
from sim.lockboard import SimLockBus
from sim.modem import ModemSim
from sim.printer import PrinterSim

TOKEN = "tok-bench-0123456789abcdef"


class SimWorld:
    """``SimWorld(folder)``: simulators running; ``profile`` (a dict for
    ``kiosk.config.parse_config``) and ``profile_file`` (the same as JSON) point at them."""

    def __init__(self, folder: str | Path):
        from kiosk.config import parse_config
        self.folder = Path(folder)
        data = tomllib.loads(Path(DEFAULT_CONFIG).read_text("utf-8"))
        data["kiosk"]["data_dir"] = str(self.folder / "data")
        data["scanner"] = {"driver": "folder", "folder": "{data_dir}/scans-in"}
        data["ui"]["fullscreen"] = True
        self.city = CitySim(self.folder / "city" / "city.db", seed=3,
                            tokens={TOKEN: data["kiosk"]["id"]}, processing_s=3600).start()
        data["city"]["base_url"] = self.city.api_url
        data["city"]["timeout_s"] = 2
        self.profile = data
        self.cfg = cfg = parse_config(data, "bench", str(self.folder))
        boards = sorted({b.address for c in cfg.cabinets for b in c.boards})
        self.lock = SimLockBus(cfg.path(cfg.lock_buses[0].port), boards=boards or [0], seed=5)
        self.printer = PrinterSim(cfg.path(cfg.printer.port), self.folder / "receipts")
        self.modem = ModemSim(cfg.path(cfg.modem.port), self.folder / "modem" / "inbox.jsonl")
        self.reader = CodeReaderSim(cfg.path(cfg.code_reader.port))
        token_file = cfg.path(cfg.secrets.city_token_file)
        token_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(TOKEN + "\n")
        self.profile_file = self.folder / "profile.json"
        self.profile_file.write_text(json.dumps(data), encoding="utf-8")

    def close(self) -> None:
        for sim in (self.reader, self.modem, self.printer, self.lock):
            try:
                sim.close()
            except Exception:
                pass
        self.city.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def load_profile(path: str | Path):
    """The ``KioskConfig`` a child process builds from ``SimWorld.profile_file``."""
    from kiosk.config import parse_config
    path = Path(path)
    return parse_config(json.loads(path.read_text("utf-8")), "bench", str(path.parent))


class RemoteWorld:
    """A ``SimWorld`` in its own process, so that the simulators' memory and threads do
    not count against the kiosk's. Commands go over the child's stdin, one line each:
    ``put B L``, ``take B L``, ``close B L``, ``sms AFTER_ID`` (answers JSON)."""

    def __init__(self, folder: str | Path):
        import subprocess
        import sys
        root = Path(__file__).resolve().parent.parent
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.world", str(folder)],
                                     cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            self.proc.kill()
            raise RuntimeError("the simulator process did not start")
        self.profile_file = Path(line[1])
        self.cfg = load_profile(self.profile_file)

    def ask(self, command: str):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError(f"the simulator process died on {command!r}")
        return json.loads(answer)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def serve(folder: str) -> int:
    import sys
    with SimWorld(folder) as world:
        print(f"READY {world.profile_file}", flush=True)
        for line in sys.stdin:
            cmd, *args = line.split()
            if cmd in ("put", "take", "close"):
                b, lk = int(args[0]), int(args[1])
                {"put": world.lock.put_item, "take": world.lock.remove_item,
                 "close": world.lock.close_door}[cmd](b, lk)
                out = True
            elif cmd == "sms":
                out = world.city.db.query("SELECT id, text FROM sms WHERE id > ? ORDER BY id",
                                          (int(args[0]),))
            else:
                out = {"error": f"unknown command {cmd!r}"}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(serve(sys.argv[1]))
