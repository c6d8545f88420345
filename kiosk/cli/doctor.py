"""``kiosk doctor --config PATH``: is this kiosk ready to serve?

Checks every configured device (each lock board on each bus, the printer's status, the
scanner, the code reader's port, the modem's AT answer), the city link, the modes of the
secrets files, that the data folder is writable and has room. One line per check:
``ok`` or ``FAIL``, what is wrong and what to do. Exit status 0 only when every check is
ok; 1 when one is not; 2 when the profile itself is unusable. Stop the kiosk service
first: serial ports are opened exclusively.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass

MIN_FREE_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    advice: str = ""

    def line(self) -> str:
        if self.ok:
            return f"ok    {self.name}" + (f": {self.detail}" if self.detail else "")
        text = f"FAIL  {self.name}: {self.detail or 'not working'}"
        return text + (f" — do: {self.advice}" if self.advice else "")


def _from_health(name: str, health) -> Check:
    return Check(name, health.ok, health.detail or health.status.value, health.advice)


# ---- the checks (each returns a list of Check) -----------------------------------------
def check_secrets(cfg) -> list[Check]:
    out = []
    files = (("secrets: HMAC key", cfg.secrets.hmac_key_file,
              "copy the kiosk's HMAC key there (mode 0600); 'kiosk staff add' creates one on "
              "a new kiosk"),
             ("secrets: city token", cfg.secrets.city_token_file,
              "put the token the office issued in it (one line), chmod 600"),
             ("secrets: staff TOTP", cfg.secrets.staff_totp_file,
              "enrol staff with 'kiosk staff add --id ID --name NAME'"))
    for name, template, advice in files:
        path = cfg.path(template)
        if not path.exists():
            out.append(Check(name, False, f"{path} does not exist", advice))
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            out.append(Check(name, False, f"{path} has mode {mode:04o}, others can read it",
                             f"chmod 600 {path}"))
        elif path.stat().st_size == 0:
            out.append(Check(name, False, f"{path} is empty", advice))
        else:
            out.append(Check(name, True, f"{path} (0600)"))
    return out


def check_data_dir(cfg) -> list[Check]:
    d = cfg.data_dir
    try:
        d.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=d, prefix=".doctor-") as f:
            f.write(b"x")
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        return [Check("data folder", False, f"{d} is not writable ({exc.strerror})",
                      f"give the kiosk user write access: chown -R kiosk {d}")]
    out = [Check("data folder", True, f"{d} writable")]
    usage = shutil.disk_usage(d)
    free_gib = usage.free / 2 ** 30
    if usage.free < MIN_FREE_BYTES:
        out.append(Check("disk space", False, f"only {free_gib:.2f} GiB free on {d}",
                         "delete old exports and delivered scans, or a bigger disk"))
    else:
        out.append(Check("disk space", True, f"{free_gib:.1f} GiB free"))
    return out


def check_lock_boards(cfg) -> list[Check]:
    from hardware.lockboard.driver import BoardOffline, BusSpec, LockBoardBus
    from hardware.lockboard.transport import SerialTransport, TransportError
    out = []
    boards_by_bus: dict[str, list[int]] = {}
    for cab in cfg.cabinets:
        for b in cab.boards:
            boards_by_bus.setdefault(b.bus, []).append(b.address)
    for bus_cfg in cfg.lock_buses:
        boards = sorted(boards_by_bus.get(bus_cfg.id, []))
        if not boards:
            continue
        port = str(cfg.path(bus_cfg.port))
        spec = BusSpec(bus_cfg.id, port, bus_cfg.baud, bus_cfg.reply_timeout_ms / 1000.0,
                       min(bus_cfg.retries, 1))
        bus = LockBoardBus(spec, SerialTransport(port, bus_cfg.baud),
                           retry_delays=(0.05,))
        try:
            for board in boards:
                name = f"lock board {board} on {bus_cfg.id}"
                try:
                    status = bus.status(board, txn="doctor")
                except BoardOffline as exc:
                    out.append(Check(name, False, str(exc), exc.advice))
                except TransportError as exc:     # the port itself: one line for the bus
                    out.append(Check(f"lock bus {bus_cfg.id} (boards "
                                     f"{', '.join(map(str, boards))})", False, str(exc),
                                     exc.advice))
                    break
                else:
                    out.append(Check(name, True, f"{port}, {len(status.closed)} locks "
                                                 "answered"))
        finally:
            bus.transport.close()
    gpio = [t for t in cfg.trays() if t.relay_pin is not None]
    if gpio:
        out.append(Check("GPIO trays", True, f"{len(gpio)} trays on relay pins "
                                             f"(pin factory {cfg.gpio.pin_factory})"))
    return out


def check_printer(cfg) -> list[Check]:
    if not cfg.printer.enabled:
        return []
    from hardware.printer import build_printer
    try:
        printer = build_printer(cfg)
    except Exception as exc:
        return [Check("printer", False, f"cannot open the printer: {exc}",
                      getattr(exc, "advice", "") or "check the cable, power and the port "
                                                    "in [printer]")]
    try:
        return [_from_health("printer", printer.health())]
    finally:
        printer.close()


def check_scanner(cfg) -> list[Check]:
    if not cfg.scanner.enabled:
        return []
    from hardware.scanner import build_scanner
    try:
        scanner = build_scanner(cfg)
        return [_from_health("scanner", scanner.health())]
    except Exception as exc:
        return [Check("scanner", False, str(exc), getattr(exc, "advice", "") or
                      "check the scanner's cable and [scanner] in the profile")]


def check_code_reader(cfg) -> list[Check]:
    c = cfg.code_reader
    if not c.enabled:
        return []
    if c.driver == "camera":
        return [Check("code reader", True, f"camera {c.camera} (checked when the kiosk "
                                           "starts)")]
    from hardware.codereader import SerialCodeReader
    port = str(cfg.path(c.port))
    reader = SerialCodeReader(port, c.baud)
    try:
        reader.wait_connected(2.0)
        h = reader.health()
        if not h.ok:
            return [Check("code reader", False, f"cannot open {port}: {h.detail}", h.advice)]
        return [Check("code reader", True, f"port {port} opens")]
    finally:
        reader.close()


def check_modem(cfg) -> list[Check]:
    if not cfg.modem.enabled:
        return []
    from hardware.modem import build_modem
    modem = build_modem(cfg)
    try:
        return [_from_health("modem", modem.health())]
    finally:
        modem.close()


def check_city(cfg) -> list[Check]:
    from sync.client import CityClient
    from sync.errors import CityError, TokenFileError
    from sync.token import read_token
    try:
        token = read_token(cfg.path(cfg.secrets.city_token_file))
    except TokenFileError as exc:
        return [Check("city link", False, f"no usable token: {exc}",
                      "put the office's token in the token file (mode 0600)")]
    client = CityClient(cfg.city.base_url, token, cfg.kiosk.id,
                        timeout_s=min(cfg.city.timeout_s, 5.0))
    try:
        answer = client.ping()
    except CityError as exc:
        advice = ("check the token with the office" if getattr(exc, "status", None) in
                  (401, 403) else f"check the network and [city] base_url "
                                  f"({cfg.city.base_url})")
        return [Check("city link", False, str(exc), advice)]
    finally:
        client.close()
    return [Check("city link", True, f"{cfg.city.base_url} answers "
                                     f"(server time {answer.get('server_time', '?')})")]


def check_catalog(cfg) -> list[Check]:
    """Which catalog the kiosk offers: the city's, or the shipped snapshot (always ok:
    never empty; the detail says how old it is)."""
    from kiosk.cli.catalog_cmd import offered_catalog
    procs, source = offered_catalog(cfg)
    receivable = sum(1 for p in procs if p.get("kiosk_receive", True))
    where = "from the city" if source["origin"] == "city" else \
        "the snapshot shipped with the package (the city's was never fetched)"
    return [Check("catalog", receivable > 0, f"version {source['version']} of "
                  f"{source['published']}, {where}; {receivable} procedures offered",
                  "reinstall the kiosk package" if not receivable else "")]



def check_fleet(cfg) -> list[Check]:
    """The city's view: the metrics port is free to take, the command key is pinned."""
    import socket
    out = []
    if not cfg.metrics.listen:
        out.append(Check("metrics", True, "off ([metrics] listen is empty)"))
    else:
        host, port = cfg.metrics.host_port()
        try:
            with socket.create_server((host, port)):
                pass
            out.append(Check("metrics", True, f"http://{cfg.metrics.listen}/metrics can "
                                              "be served"))
        except OSError as exc:
            out.append(Check("metrics", False, f"cannot listen on {cfg.metrics.listen}: "
                                               f"{exc.strerror or exc}",
                             "stop what holds the port (the kiosk service itself?) or "
                             "choose another in [metrics] listen"))
    out.append(Check("city commands", True,
                     "on, the city's key is pinned" if cfg.commands.city_public_key else
                     "off (no [commands] city_public_key)"))
    return out


def check_digitise(cfg) -> list[Check]:
    from kiosk.digitise.health import digitise_checks
    return digitise_checks(cfg, Check)


CHECKS = (check_secrets, check_data_dir, check_lock_boards, check_printer, check_scanner,
          check_code_reader, check_modem, check_city, check_fleet, check_digitise,
          check_catalog)


def run_checks(cfg) -> list[Check]:
    out: list[Check] = []
    for check in CHECKS:
        try:
            out += check(cfg)
        except Exception as exc:   # a check that crashes is a finding, not a traceback
            out.append(Check(check.__name__.removeprefix("check_").replace("_", " "), False,
                             f"the check itself failed: {exc!r}",
                             "report this line to the maintainers"))
    return out


def doctor(args) -> int:
    from kiosk.config import ConfigError, load_config
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"FAIL  profile: {line}")
        return 2
    print(f"ok    profile: {cfg.source} (kiosk {cfg.kiosk.id}, {len(cfg.trays())} trays)")
    checks = run_checks(cfg)
    if getattr(args, "strict", False):
        from kiosk.updates.strict import strict_checks
        checks += strict_checks(cfg, args.expect_version)
    for c in checks:
        print(c.line(), flush=True)
    bad = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(bad)} ok, {len(bad)} to fix" if bad else
          f"all {len(checks)} checks ok")
    return 1 if bad else 0


def register(sub, groups) -> None:
    p = sub.add_parser("doctor", help="check every device, the city link and the secrets",
                       description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--config", default=None, help="kiosk profile (default config/sim.toml)")
    p.add_argument("--strict", action="store_true",
                   help="also the checks after an update: version, every module imports, "
                        "the database migrates and passes the integrity check")
    p.add_argument("--expect-version", default=None,
                   help="with --strict: the version that must be running")
    p.set_defaults(func=doctor)
