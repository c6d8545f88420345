"""Start the whole kiosk on one machine: city, devices, and the kiosk in its own process.

Everything lives in one run folder (printed at start; a second start reuses it):

    <run>/kiosk.toml           the kiosk's profile (config/sim.toml with this folder and
                               this city's address)
    <run>/secrets/             HMAC key and city token, mode 0600
    <run>/dev/                 pseudo-terminal links the kiosk opens (lock buses, printer,
                               code reader, modem)
    <run>/kiosk.db, kiosk.log  the kiosk's database and its log
    <run>/kiosk-console.log    the kiosk process's own output (crash tracebacks)
    <run>/clock-offset         seconds the simulated world runs ahead (kiosk/simclock.py)
    <run>/city/city.db         the city simulator's database and SMS inbox
    <run>/receipts/<start>/    the printer's PNG receipts
    <run>/modem-inbox.jsonl    every SMS the modem sent

The kiosk runs as a child process so that a power cut is a real ``kill -9``; the
simulators stay up across it, as the cabinet and the city do when the kiosk PC dies.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import re
import secrets
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sim.city import FAULT_KINDS, CitySim
from sim.codereader import CodeReaderSim
from sim.lockboard import SimLockBus
from sim.modem import ModemSim
from sim.printer import PrinterSim

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = REPO / "config" / "sim.toml"
DEFAULT_RUN = REPO / "var" / "sim"
OFFSET_FILE = "clock-offset"
NETWORK_MODES = ("up", "slow", "down")
CITY_FAULTS = FAULT_KINDS


class LaunchError(Exception):
    """The simulated kiosk cannot be started; the message says what to fix."""


@dataclass(frozen=True)
class TrayPlace:
    """Where a tray's latch is wired: which bus, board and lock."""
    tray: str
    cabinet: str
    size: str
    bus: str
    board: int
    lock: int


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _expand(template: str, run: Path) -> Path:
    p = Path(template.replace("{data_dir}", str(run))).expanduser()
    return p if p.is_absolute() else run / p


def tray_places(profile: dict) -> list[TrayPlace]:
    """The trays the profile wires to lock boards (GPIO trays have no simulated board)."""
    out = []
    for cab in profile.get("cabinets", []):
        boards = {b["address"]: b for b in cab.get("boards", [])}
        for grp in cab.get("trays", []):
            if grp.get("board") is None:
                continue
            bus = boards[grp["board"]]["bus"]
            for i in range(grp["count"]):
                out.append(TrayPlace(f"{cab['id']}{grp['first'] + i:02d}", cab["id"],
                                     grp["size"], bus, grp["board"],
                                     grp.get("first_lock", 1) + i))
    return out


def _section_lines(text: str):
    """(section header or '', line) for each line of a TOML text."""
    section = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]").strip()
        yield section, line


_KEY = re.compile(r'^(\s*)([A-Za-z0-9_]+)(\s*=\s*)(.*)$')


def simulate_profile(text: str, run: Path, *, headless: bool = False) -> str:
    """Any profile turned into one the simulators can serve: data and secrets in the run
    folder, every serial port a pseudo-terminal link under ``<run>/dev``, SANE's test
    scanner, GPIO on the mock pin factory, a window instead of full screen. Comments
    stay, so the file still reads like the profile it came from."""
    out = []
    for section, line in _section_lines(text):
        m = _KEY.match(line)
        if not m:
            out.append(line)
            continue
        indent, key, eq, value = m.groups()
        new = None
        if section == "kiosk" and key == "data_dir":
            new = json.dumps(str(run)) + ("" if "simulated" in tomllib.loads(text).get(
                "kiosk", {}) else "\nsimulated = true")
        elif section == "kiosk" and key == "simulated":
            new = "true"                  # this profile drives simulators
        elif key == "port" and section in ("lock_buses", "printer", "code_reader", "modem"):
            path = json.loads(value.split("#")[0].strip())
            if not path.startswith("{data_dir}"):
                new = json.dumps("{data_dir}/dev/" + Path(path).name)
        elif section == "secrets" and key.endswith("_file"):
            path = json.loads(value.split("#")[0].strip())
            new = json.dumps("{data_dir}/secrets/" + Path(path).name)
        elif section == "scanner" and key == "device":
            new = '"test"'
        elif section == "scanner" and key == "driver":
            new = '"sane"'
        elif section == "code_reader" and key == "driver":
            new = '"serial"'
        elif section == "printer" and key == "transport":
            new = '"serial"'
        elif section == "gpio" and key == "pin_factory":
            new = '"mock"'
        elif section == "ui" and key == "fullscreen":
            new = "false"
        out.append(f"{indent}{key}{eq}{new}" if new is not None else line)
    return "\n".join(out)


def set_city(text: str, city_url: str, city: dict | None = None) -> str:
    """The [city] section pointed at the simulator, with the given settings."""
    settings = {"base_url": city_url, **(city or {})}
    out, in_city, written = [], False, False
    for section, line in _section_lines(text):
        if line.strip().startswith("["):
            in_city = line.strip() == "[city]"
            out.append(line)
            if in_city:
                out.extend(f"{k} = {json.dumps(v)}" for k, v in settings.items())
                written = True
            continue
        m = _KEY.match(line)
        if in_city and m and m.group(2) in settings:
            continue
        out.append(line)
    if not written:
        out.append("\n[city]")
        out.extend(f"{k} = {json.dumps(v)}" for k, v in settings.items())
    return "\n".join(out)


def _die_with_parent() -> None:
    """In the kiosk child, before exec: die when the launcher dies, however it dies.

    An orphaned kiosk would keep reopening its device links, and once the simulator's
    pseudo-terminals are gone their numbers get reused by the next run, so the orphan
    would lock another run's devices (Linux ``PR_SET_PDEATHSIG``)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class SimLauncher:
    """The simulated world around one kiosk process. Use as a context manager."""

    def __init__(self, run_dir: str | os.PathLike | None = None, *,
                 profile: str | os.PathLike = DEFAULT_PROFILE, seed: int = 0,
                 headless: bool = False, city_port: int = 0, city: dict | None = None,
                 city_processing_s: float = 3600.0, kiosk_cmd: list[str] | None = None,
                 kiosk_env: dict | None = None, remote: bool = True):
        self.run = Path(run_dir or DEFAULT_RUN).resolve()
        self.profile_src = Path(profile)
        self.seed = seed
        self.headless = headless
        self.city_port = city_port
        self.city_settings = {"heartbeat_s": 5, "results_poll_s": 5, "retry_cap_s": 10,
                              **(city or {})}
        self.city_processing_s = city_processing_s
        self.kiosk_cmd = kiosk_cmd
        self.kiosk_env = dict(kiosk_env or {})
        self.use_remote = remote
        try:
            self.profile_text = simulate_profile(self.profile_src.read_text(encoding="utf-8"),
                                                 self.run)
            self.profile = tomllib.loads(self.profile_text)
        except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
            raise LaunchError(f"cannot use the profile {self.profile_src}: {exc}; pass a "
                              "profile such as config/sim.toml") from None
        self.places = tray_places(self.profile)
        self.city: CitySim | None = None
        self.buses: dict[str, SimLockBus] = {}
        self.printer: PrinterSim | None = None
        self.code_reader: CodeReaderSim | None = None
        self.modem: ModemSim | None = None
        self.kiosk: subprocess.Popen | None = None
        self.power_cuts = 0
        self.kiosk_starts = 0
        # called with the kiosk dead and before it restarts (the power-loss layer)
        self.after_power_cut: list = []
        self.forced: set[str] = set()          # trays a person pried open (tamper)
        self._restart_timer: threading.Timer | None = None
        self._sms: list[dict] = []
        self._sms_pos: dict[Path, int] = {}
        self._sms_lock = threading.Lock()
        self._unlocks: list[str] = []
        self._pulses: dict[tuple, int] = {}
        self._unlock_lock = threading.Lock()
        self._jobs: queue.Queue = queue.Queue()
        self._keeper: threading.Thread | None = None
        self._proc_lock = threading.RLock()
        self._log_file = None
        self._stopped = False

    # ---- paths ------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.run / "kiosk.toml"

    @property
    def db_path(self) -> Path:
        return self.run / "kiosk.db"

    @property
    def log_path(self) -> Path:
        return self.run / "kiosk.log"

    @property
    def console_path(self) -> Path:
        """The kiosk process's stdout and stderr (tracebacks of a crash land here)."""
        return self.run / "kiosk-console.log"

    @property
    def offset_path(self) -> Path:
        return self.run / OFFSET_FILE

    @property
    def modem_inbox(self) -> Path:
        return self.run / "modem-inbox.jsonl"

    @property
    def remote_path(self) -> str:
        path = self.run / "remote.sock"
        if len(str(path)) < 100:
            return str(path)
        digest = hashlib.sha256(str(self.run).encode()).hexdigest()[:12]
        return f"/tmp/kiosk-remote-{digest}.sock"      # unix socket paths are short

    @property
    def kiosk_id(self) -> str:
        return self.profile["kiosk"]["id"]

    def dev(self, template: str) -> Path:
        return _expand(template, self.run)

    # ---- start ------------------------------------------------------------------------
    def start(self, *, kiosk: bool = True) -> "SimLauncher":
        self.run.mkdir(parents=True, exist_ok=True)
        try:
            self._start_city()
            self._start_devices()
            self._write_profile()
            self._write_secrets()
            if kiosk:
                self.start_kiosk()
        except Exception:
            self.stop()
            raise
        return self

    def _start_city(self) -> None:
        city_dir = self.run / "city"
        city_dir.mkdir(exist_ok=True)
        token = self._token()
        self.city = CitySim(city_dir / "city.db", port=self.city_port, seed=self.seed,
                            tokens={token: self.kiosk_id},
                            processing_s=self.city_processing_s)
        self.city.start()
        offset = self.clock_offset()
        if offset and self.city.clock.offset_s < offset:
            self.city.advance(offset - self.city.clock.offset_s)

    def _start_devices(self) -> None:
        boards: dict[str, dict[int, dict]] = {}
        for cab in self.profile.get("cabinets", []):
            for b in cab.get("boards", []):
                boards.setdefault(b["bus"], {})[b["address"]] = {
                    "item_sensors": b.get("item_sensors", False)}
        for bus in self.profile.get("lock_buses", []):
            specs = boards.get(bus["id"])
            if specs:
                self.buses[bus["id"]] = SimLockBus(self.dev(bus["port"]), specs,
                                                   seed=self.seed)
                self._watch_pulses(bus["id"], self.buses[bus["id"]])
        printer = self.profile.get("printer", {})
        if printer.get("enabled", True) and printer.get("transport", "serial") == "serial":
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            self.printer = PrinterSim(self.dev(printer.get("port", "{data_dir}/dev/printer")),
                                      self.run / "receipts" / stamp)
        reader = self.profile.get("code_reader", {})
        if reader.get("enabled", True) and reader.get("driver", "serial") == "serial":
            self.code_reader = CodeReaderSim(self.dev(reader.get("port",
                                                                 "{data_dir}/dev/codereader")))
        modem = self.profile.get("modem", {})
        if modem.get("enabled", True):
            self.modem = ModemSim(self.dev(modem.get("port", "{data_dir}/dev/modem")),
                                  self.modem_inbox)

    def _write_profile(self) -> None:
        header = (f"# Written by kiosk-sim from {self.profile_src} for the run folder "
                  f"{self.run}; edits are overwritten at the next start.\n")
        body = set_city(self.profile_text, self.city.api_url, self.city_settings)
        tmp = self.config_path.with_suffix(".toml.new")
        tmp.write_text(header + body, encoding="utf-8")
        os.replace(tmp, self.config_path)

    def _secret_path(self, key: str, default: str) -> Path:
        return _expand(self.profile.get("secrets", {}).get(key, default), self.run)

    def _token(self) -> str:
        path = self._secret_path("city_token_file", "{data_dir}/secrets/city.token")
        if path.exists():
            value = path.read_text().strip()
            if value:
                return value
        value = secrets.token_urlsafe(24)
        write_private(path, value.encode() + b"\n")
        return value

    def _write_secrets(self) -> None:
        path = self._secret_path("hmac_key_file", "{data_dir}/secrets/hmac.key")
        if not path.exists():
            write_private(path, secrets.token_hex(32).encode() + b"\n")

    # ---- the kiosk process ------------------------------------------------------------
    def kiosk_command(self) -> list[str]:
        cmd = self.kiosk_cmd or shlex.split(os.environ.get("KIOSK_SIM_KIOSK_CMD", ""))
        if cmd:          # another kiosk build, e.g. a wrapper with extra instrumentation
            return [*cmd, "--config", str(self.config_path)]
        return [sys.executable, "-m", "kiosk.cli", "run", "--config", str(self.config_path)]

    def kiosk_environment(self) -> dict:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env["KIOSK_SIM_RUN"] = str(self.run)
        if self.use_remote:
            env["KIOSK_REMOTE"] = self.remote_path
        if self.headless:
            env["QT_QPA_PLATFORM"] = "offscreen"
        env.pop("KIOSK_CRASHPOINT", None)
        env.update(self.kiosk_env)
        return env

    def _keep(self) -> None:
        """The one thread that forks kiosks. ``PR_SET_PDEATHSIG`` fires when the thread
        that forked the child ends, so a restart from a short-lived timer thread would
        kill the new kiosk at once; every start runs here instead."""
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, done, box = job
            try:
                box["value"] = fn()
            except BaseException as exc:     # handed back to the caller
                box["error"] = exc
            done.set()

    def _in_keeper(self, fn):
        if self._keeper is None:
            self._keeper = threading.Thread(target=self._keep, name="kiosk-keeper",
                                            daemon=True)
            self._keeper.start()
        if threading.current_thread() is self._keeper:
            return fn()
        done, box = threading.Event(), {}
        self._jobs.put((fn, done, box))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["value"]

    def start_kiosk(self) -> subprocess.Popen:
        return self._in_keeper(self._spawn)

    def _spawn(self) -> subprocess.Popen:
        with self._proc_lock:
            if self._stopped:
                raise LaunchError("the simulator is stopping; start a new one")
            if self.kiosk_running():
                return self.kiosk
            if self._log_file is None:
                self._log_file = open(self.console_path, "ab", buffering=0)
            self._log_file.write(f"--- kiosk-sim: start #{self.kiosk_starts + 1} at "
                                 f"{datetime.now().isoformat(timespec='seconds')}\n".encode())
            self.kiosk = subprocess.Popen(self.kiosk_command(), cwd=str(REPO),
                                          env=self.kiosk_environment(),
                                          stdin=subprocess.DEVNULL, stdout=self._log_file,
                                          stderr=subprocess.STDOUT, start_new_session=True,
                                          preexec_fn=_die_with_parent)
            self.kiosk_starts += 1
            return self.kiosk

    def kiosk_running(self) -> bool:
        return self.kiosk is not None and self.kiosk.poll() is None

    def power_cut(self, restart_after_s: float | None = 0.0) -> None:
        """``kill -9`` the kiosk (no goodbye, like a pulled plug); restart it after the
        delay in the background (``None``: leave it off)."""
        with self._proc_lock:
            if self._restart_timer is not None:
                self._restart_timer.cancel()
                self._restart_timer = None
            proc = self.kiosk
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
                self.power_cuts += 1
                for hook in self.after_power_cut:
                    hook()
            if self._log_file is not None:
                self._log_file.write(b"--- kiosk-sim: power cut (kill -9)\n")
            if restart_after_s is None:
                return
            if restart_after_s > 0:
                self._restart_timer = threading.Timer(restart_after_s, self._restart_later)
                self._restart_timer.daemon = True
                self._restart_timer.start()
                return
        self.start_kiosk()          # outside the lock: the keeper thread takes it

    def _restart_later(self) -> None:
        with self._proc_lock:
            if self._restart_timer is None or self._stopped:
                return                  # cancelled meanwhile
            self._restart_timer = None
        self.start_kiosk()

    def stop_kiosk(self, timeout: float = 10.0) -> int | None:
        """Ask the kiosk to stop (SIGTERM), then kill it if it does not."""
        with self._proc_lock:
            if self._restart_timer is not None:
                self._restart_timer.cancel()
                self._restart_timer = None
            proc = self.kiosk
            if proc is None:
                return None
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            return proc.returncode

    # ---- the simulated world ----------------------------------------------------------
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

    network_mode = "up"
    flaky_kinds: list[str] = []
    flaky_rate = 0.0

    # ---- the cabinet ------------------------------------------------------------------
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

    # ---- SMS --------------------------------------------------------------------------
    def sms(self) -> list[dict]:
        """Every SMS so far, city and modem, in the order they arrived: {time, to, text,
        via}.
        The inbox files are read incrementally: scripts poll this many times a second."""
        with self._sms_lock:
            for path, via in ((self.city_sms_path(), "city"), (self.modem_inbox, "modem")):
                if path is None or not path.exists():
                    continue
                pos = self._sms_pos.get(path, 0)
                if path.stat().st_size <= pos:
                    continue
                with path.open("rb") as f:
                    f.seek(pos)
                    data = f.read()
                end = data.rfind(b"\n") + 1          # a line still being written waits
                self._sms_pos[path] = pos + end
                for line in data[:end].decode("utf-8", "replace").splitlines():
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    when = rec.get("time") or rec.get("at") or ""
                    if via == "modem" and when:
                        # the modem stamps the wall clock; the world runs on simulated time
                        try:
                            when = (datetime.fromisoformat(when.replace("Z", "+00:00"))
                                    + timedelta(seconds=self.clock_offset())).astimezone(
                                timezone.utc).isoformat(timespec="milliseconds").replace(
                                "+00:00", "Z")
                        except ValueError:
                            pass
                    self._sms.append({"time": when,
                                      "to": rec.get("to", ""), "text": rec.get("text", ""),
                                      "via": via})
            # kept in the order they were found, not by their time stamps: the city
            # stamps its own (simulated) time, the modem the wall clock
            return list(self._sms)

    def city_sms_path(self) -> Path | None:
        if self.city is None:
            return None
        return Path(self.city.db.sms_inbox)

    def show_code(self, text: str) -> None:
        if self.code_reader is None:
            raise LaunchError("this profile has no serial code reader to simulate")
        self.code_reader.show(text)

    # ---- stop -------------------------------------------------------------------------
    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self.stop_kiosk()
            if self._keeper is not None:
                self._jobs.put(None)
                self._keeper.join(timeout=5)
        finally:
            for dev in (*self.buses.values(), self.printer, self.code_reader, self.modem):
                if dev is not None:
                    try:
                        dev.close()
                    except Exception:
                        log.exception("closing a simulator")
            if self.city is not None:
                self.city.stop()
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    close = stop

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
