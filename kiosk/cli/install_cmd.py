"""``kiosk install``: lay a kiosk out on a Debian 12 / Raspberry Pi OS machine.

Folders, the ``kiosk`` user, the secrets files (0600; the HMAC key generated, the city
token left for the office to fill in), the profile, the systemd unit, the udev rules,
the journald limits, the PAM and polkit files. Safe to run again: what exists is kept
(profile, secrets, the udev rules a technician filled in) or brought up to date (the
files this project owns). ``--root DIR`` installs under DIR instead of ``/`` (tests,
images built offline); then no user is created and nothing is chowned, and the commands
to do it on the machine are printed instead. docs/install.md walks through it.
"""
from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.cli.config_cmd import report_config_error

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "systemd"
DEFAULT_PROFILE = REPO / "config" / "binh-tay.toml"
DEFAULT_BIN = "/opt/kiosk/.venv/bin/kiosk"
USER = "kiosk"
GROUPS = ("dialout", "gpio", "video", "input", "render")


class InstallError(Exception):
    """The installation cannot go on; the message says what to fix."""


@dataclass
class InstallReport:
    root: Path
    lines: list[tuple[str, str]] = field(default_factory=list)   # (what happened, path)
    todo: list[str] = field(default_factory=list)                # commands left to run

    def add(self, what: str, path: Path | str) -> None:
        self.lines.append((what, str(path)))

    def status(self, path: Path | str) -> str | None:
        for what, p in self.lines:
            if p == str(path):
                return what
        return None


def _in_root(root: Path, path: Path | str) -> Path:
    path = Path(path)
    if root == Path("/"):
        return path
    if path.is_absolute():
        try:
            path.relative_to(root)
            return path
        except ValueError:
            return root / path.relative_to("/")
    return root / path


def _mkdir(report: InstallReport, path: Path, mode: int) -> None:
    if path.is_dir():
        if (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
            report.add(f"mode {mode:04o}", path)
        else:
            report.add("unchanged", path)
        return
    path.mkdir(parents=True, mode=mode)
    path.chmod(mode)                       # mkdir's mode is masked by the umask
    report.add("created", path)


def _write_ours(report: InstallReport, path: Path, text: str, mode: int = 0o644) -> None:
    """A file this project owns: replaced when it differs (local changes belong in a
    drop-in, e.g. ``systemctl edit kiosk.service``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text("utf-8") == text:
        report.add("unchanged", path)
        return
    what = "updated" if path.exists() else "created"
    tmp = path.with_name(path.name + ".kiosk-new")
    tmp.write_text(text, "utf-8")
    tmp.chmod(mode)
    os.replace(tmp, path)
    report.add(what, path)


def _write_once(report: InstallReport, path: Path, text: str, mode: int = 0o644) -> None:
    """A file the technician edits afterwards: written only when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        report.add("kept", path)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    report.add("created", path)


def _secret(report: InstallReport, path: Path, value: bytes | None) -> None:
    """A secrets file with mode 0600; an existing one is kept (its mode tightened)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode != 0o600:
            path.chmod(0o600)
            report.add(f"kept, mode {mode:04o} -> 0600", path)
        else:
            report.add("kept", path)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        if value:
            f.write(value)
        f.flush()
        os.fsync(f.fileno())
    report.add("created" if value else "created empty", path)


def unit_text(kiosk_bin: str, config_path: str) -> str:
    text = (UNITS / "kiosk.service").read_text("utf-8")
    return text.replace(f"{DEFAULT_BIN} run --config /etc/kiosk/kiosk.toml",
                        f"{kiosk_bin} run --config {config_path}")


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _user_commands(data_dir: str, secrets_dirs: list[str]) -> list[list[str]]:
    cmds = []
    if not _group_exists("gpio"):
        cmds.append(["groupadd", "--system", "gpio"])
    groups = ",".join(g for g in GROUPS if g == "gpio" or _group_exists(g))
    cmds.append(["useradd", "--system", "--user-group", "--home-dir", data_dir,
                 "--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", groups,
                 USER])
    return cmds


def install(root: str | Path = "/", config: str | Path | None = None, *,
            kiosk_bin: str = DEFAULT_BIN, manage_user: bool | None = None) -> InstallReport:
    """Lay everything out under ``root``; returns what was done and what is left."""
    root = Path(root).resolve()
    report = InstallReport(root)
    from kiosk.config import load_config        # here: every CLI start imports this module
    source = Path(config) if config else DEFAULT_PROFILE
    cfg = load_config(source)                      # ConfigError stops before any write
    if manage_user is None:
        manage_user = root == Path("/") and os.geteuid() == 0

    etc = _in_root(root, "/etc/kiosk")
    _mkdir(report, etc, 0o755)
    profile = etc / "kiosk.toml"
    if profile.exists() and config and profile.read_bytes() != source.read_bytes():
        report.add("kept (differs from " + str(source) + "; copy it by hand if meant)",
                   profile)
    elif profile.exists():
        report.add("kept", profile)
    else:
        shutil.copyfile(source, profile)
        profile.chmod(0o644)
        report.add("created", profile)
    cfg = load_config(profile)

    data_dir = _in_root(root, cfg.data_dir)
    _mkdir(report, data_dir, 0o750)
    for sub in ("uploads", "scans-in", "backups"):
        _mkdir(report, data_dir / sub, 0o750)
    key_path = _in_root(root, cfg.path(cfg.secrets.hmac_key_file))
    token_path = _in_root(root, cfg.path(cfg.secrets.city_token_file))
    secret_dirs = sorted({key_path.parent, token_path.parent})
    for d in secret_dirs:
        _mkdir(report, d, 0o700)
    _secret(report, key_path, secrets.token_hex(32).encode() + b"\n")
    _secret(report, token_path, None)
    if token_path.stat().st_size == 0:
        report.todo.append(f"put the city API token issued by the office into "
                           f"{cfg.path(cfg.secrets.city_token_file)} (one line, mode 0600); "
                           "the kiosk refuses to sync until it is there")

    installed_profile = "/etc/kiosk/kiosk.toml"
    _write_ours(report, _in_root(root, "/etc/systemd/system/kiosk.service"),
                unit_text(kiosk_bin, installed_profile))
    _write_ours(report, _in_root(root, "/etc/systemd/journald.conf.d/kiosk.conf"),
                (UNITS / "journald.conf.d" / "kiosk.conf").read_text("utf-8"))
    _write_ours(report, _in_root(root, "/etc/pam.d/kiosk"),
                (UNITS / "pam.d" / "kiosk").read_text("utf-8"))
    _write_ours(report, _in_root(root, "/etc/polkit-1/rules.d/50-kiosk-power.rules"),
                (UNITS / "polkit" / "50-kiosk-power.rules").read_text("utf-8"))
    rules = _in_root(root, "/etc/udev/rules.d/99-kiosk.rules")
    _write_once(report, rules, (UNITS / "99-kiosk.rules").read_text("utf-8"))
    if "REPLACE-" in rules.read_text("utf-8"):
        report.todo.append(f"fill in the USB serials in /etc/udev/rules.d/99-kiosk.rules "
                           "(see 'udevadm info' in docs/install.md), then: udevadm control "
                           "--reload && udevadm trigger")

    data_s = str(cfg.data_dir)
    sec_s = [str(cfg.path(cfg.secrets.hmac_key_file)), str(cfg.path(cfg.secrets.city_token_file))]
    owner_cmds = [["chown", "-R", f"{USER}:{USER}", data_s],
                  ["chown", "-R", f"{USER}:{USER}"] + sorted({str(Path(p).parent) for p in sec_s})]
    if manage_user:
        if _user_exists(USER):
            report.add("unchanged", f"user {USER}")
        else:
            for cmd in _user_commands(data_s, sec_s):
                subprocess.run(cmd, check=True)
            report.add("created", f"user {USER}")
        for cmd in owner_cmds:
            subprocess.run(cmd, check=True)
        report.add("owned by kiosk", data_s)
    else:
        why = "not installing into /" if root != Path("/") else "not running as root"
        report.add(f"skipped ({why})", f"user {USER}")
        if not _user_exists(USER):
            report.todo += [" ".join(c) for c in _user_commands(data_s, sec_s)]
        report.todo += [" ".join(c) for c in owner_cmds]
    report.todo += [
        "systemctl daemon-reload && systemctl restart systemd-journald",
        "udevadm control --reload && udevadm trigger",
        "kiosk check-config /etc/kiosk/kiosk.toml",
        "sudo -u kiosk kiosk doctor --config /etc/kiosk/kiosk.toml",
        "systemctl enable --now kiosk.service",
        "systemd-analyze security kiosk.service",
    ]
    return report


def run_install(args) -> int:
    from kiosk.config import ConfigError
    try:
        report = install(args.root, args.config, kiosk_bin=args.kiosk_bin)
    except ConfigError as exc:
        return report_config_error(exc)
    except (InstallError, OSError, subprocess.CalledProcessError) as exc:
        print(f"kiosk install: {exc}", file=sys.stderr)
        print("Nothing already written was removed; fix the cause and run "
              "'kiosk install' again (it is safe to repeat).", file=sys.stderr)
        return 1
    width = max(len(w) for w, _ in report.lines)
    for what, path in report.lines:
        print(f"  {what:<{width}}  {path}")
    print("\nLeft to do on the kiosk (as root):")
    for i, step in enumerate(report.todo, 1):
        print(f"  {i}. {step}")
    return 0


def register(sub, groups) -> None:
    p = sub.add_parser("install", help="lay out folders, user, secrets, units and udev rules",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default="/",
                   help="install under this folder instead of / (no user is created)")
    p.add_argument("--config", default=None,
                   help=f"the profile to install as /etc/kiosk/kiosk.toml "
                        f"(default {DEFAULT_PROFILE.name}; an existing one is kept)")
    p.add_argument("--kiosk-bin", default=DEFAULT_BIN,
                   help=f"the kiosk command the unit runs (default {DEFAULT_BIN})")
    p.set_defaults(func=run_install)
