"""One update attempt: window, gate, compatibility, install, strict health check, and
the rollback to the previous version kept on disk when the check fails.

Everything this module needs is imported when it is loaded: while it runs, apt replaces
the kiosk's own files underneath it, and a late import would mix two versions.
"""
from __future__ import annotations

import json
import logging
import os
import pwd
import shutil
import sqlite3
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from kiosk.clock import SystemClock
from kiosk.pii import Pii
from kiosk.secrets import read_secret
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from kiosk.updates import compat
from kiosk.updates.apt import Apt, AptError, compare, installed_version
from kiosk.updates.gate import GateBusy, UpdateGate
from kiosk.updates.services import ServiceError, Systemd
from kiosk.updates.window import Window

log = logging.getLogger(__name__)
ACTOR = "updater"
BUSY_TRAYS = ("RESERVED", "UNLOCKING", "OPEN")


@dataclass
class Outcome:
    status: str             # none | outside-window | busy | refused | installed | rolled-back | failed
    installed: str | None = None
    offered: str | None = None
    reason: str = ""
    at: str = ""
    steps: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"update: {self.status}"
        if self.offered:
            text += f" ({self.installed} -> {self.offered})"
        return text + (f": {self.reason}" if self.reason else "")


class Refused(Exception):
    pass


def gate_path(cfg) -> Path:
    return cfg.data_dir / "update.lock"


def keep_dir(cfg) -> Path:
    return cfg.path(cfg.updates.keep_dir)


class Updater:
    def __init__(self, cfg, *, apt: Apt | None = None, service=None,
                 now: Callable[[], datetime] | None = None,
                 doctor: Callable[[str], tuple[bool, str]] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.cfg = cfg
        u = cfg.updates
        self.keep = keep_dir(cfg)
        self.apt = apt or Apt(u.package, self.keep, repository=u.repository, suite=u.suite,
                              keyring=u.keyring)
        self.service = service or Systemd()
        self.gate = UpdateGate(gate_path(cfg))
        self.window = Window.parse(u.window)
        tz = ZoneInfo(cfg.kiosk.timezone)
        self.now = now or (lambda: datetime.now(tz))
        self.doctor = doctor or self._doctor
        self.sleep = sleep

    # ---- the steps -----------------------------------------------------------------
    def run(self, *, ignore_window: bool = False) -> Outcome:
        out = Outcome("none", installed=installed_version(self.cfg.updates.package),
                      at=self.now().isoformat(timespec="seconds"))
        try:
            self._run(out, ignore_window)
        except Refused as exc:
            out.status, out.reason = "refused", str(exc)
            self._journal("update.refused", out)
        except (AptError, ServiceError, compat.ManifestError, OSError) as exc:
            out.status, out.reason = "failed", str(exc)
            self._journal("update.failed", out)
        self._write_status(out)
        log.info(out.line())
        return out

    def _run(self, out: Outcome, ignore_window: bool) -> None:
        self.apt.refresh()
        if out.installed:
            # a copy of what runs now, while the suite still offers it: the rollback needs it
            try:
                self._keep_installed(out.installed)
            except Refused as exc:
                log.warning("%s", exc)
        if not ignore_window and not self.window.contains(self.now()):
            out.status = "outside-window"
            out.reason = (f"updates install only {self.window} "
                          f"(next {self.window.next_start(self.now()):%Y-%m-%d %H:%M})")
            return
        offered = self.apt.candidate()
        if not offered or not out.installed or not compare(offered, "gt", out.installed):
            out.reason = f"suite {self.cfg.updates.suite} offers nothing newer than {out.installed}"
            return
        out.offered = offered
        previous = self._keep_installed(out.installed)
        new = self.apt.download(offered, self.keep)
        out.steps.append(f"downloaded {new.name}")
        manifest = compat.read_manifest(new)
        verdict = compat.judge(self.cfg.db_path, manifest)
        if not verdict.ok:
            raise Refused(verdict.reason)
        try:
            hold = self.gate.hold()
        except GateBusy as exc:
            out.status, out.reason = "busy", f"{exc}; trying again later in the window"
            return
        with hold:
            busy = self._busy_trays()
            if busy:
                out.status = "busy"
                out.reason = f"tray {', '.join(busy)} is being opened; trying again later"
                return
            self._install(out, new, previous, manifest)

    def _install(self, out: Outcome, new: Path, previous: Path, manifest: dict) -> None:
        was_running = self.service.stop()
        out.steps.append("kiosk stopped" if was_running else "kiosk was not running")
        before = compat.applied(self.cfg.db_path)
        self._backup(out.offered)
        ok, why = True, ""
        try:
            self.apt.install(new)
            out.steps.append(f"installed {out.offered}")
        except AptError as exc:
            ok, why = False, f"installing {out.offered} failed: {exc}"
        if ok:
            ok, why = self.doctor(out.offered)
            out.steps.append("doctor --strict " + ("ok" if ok else "failed"))
        if ok:
            out.status = "installed"
            self._journal("update.installed", out)
            self._prune(keep={new.name, previous.name})
        else:
            undone = compat.revert(self.cfg.db_path, manifest, before)
            if undone:
                out.steps.append(f"reverted migrations {', '.join(undone)}")
            self.apt.install(previous, downgrade=True)
            out.steps.append(f"reinstalled {out.installed}")
            out.status, out.reason = "rolled-back", why
            self._journal("update.rolled_back", out)
        self._own_db()
        self.service.start()
        # the restarted kiosk keeps its doors shut to new transactions for quiet_s
        self.sleep(self.cfg.updates.quiet_s)

    # ---- helpers -------------------------------------------------------------------
    def _keep_installed(self, version: str) -> Path:
        """The .deb of the installed version, on disk before anything changes."""
        self.keep.mkdir(parents=True, exist_ok=True)
        found = self.apt.find(version, self.keep)
        if found:
            return found
        cached = self.apt.find(version, "/var/cache/apt/archives")
        if cached:
            shutil.copy2(cached, self.keep / cached.name)
            return self.keep / cached.name
        try:
            return self.apt.download(version, self.keep)
        except AptError as exc:
            raise Refused(f"no copy of the installed version {version} to roll back to "
                          f"({exc}); put kiosk_{version}_*.deb into {self.keep}") from None

    def _busy_trays(self) -> list[str]:
        if not self.cfg.db_path.exists():
            return []
        con = sqlite3.connect(str(self.cfg.db_path), timeout=5)
        try:
            marks = ",".join("?" * len(BUSY_TRAYS))
            return [r[0] for r in con.execute(
                f"SELECT id FROM trays WHERE state IN ({marks}) ORDER BY id", BUSY_TRAYS)]
        except sqlite3.OperationalError:
            return []
        finally:
            con.close()

    def _backup(self, version: str) -> None:
        if self.cfg.db_path.exists():
            dest = self.keep / f"kiosk-before-{version}.db"
            dest.unlink(missing_ok=True)
            con = sqlite3.connect(str(self.cfg.db_path))
            try:
                con.execute("VACUUM INTO ?", (str(dest),))
            finally:
                con.close()
            os.chmod(dest, 0o600)

    def _doctor(self, version: str) -> tuple[bool, str]:
        cmd = ["/usr/bin/kiosk", "doctor", "--strict", "--expect-version", version,
               "--config", str(self.cfg.source)]
        if os.geteuid() == 0 and _user_exists("kiosk"):
            cmd = ["runuser", "-u", "kiosk", "--"] + cmd
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=self.cfg.updates.doctor_timeout_s,
                               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"kiosk doctor --strict could not run: {exc}"
        if r.returncode == 0:
            return True, ""
        fails = [ln for ln in (r.stdout + r.stderr).splitlines()
                 if ln.startswith("FAIL") or "Error" in ln]
        return False, ("kiosk doctor --strict failed: " + " | ".join(fails[-5:]))[:1000]

    def _journal(self, action: str, out: Outcome) -> None:
        """Journal + outbox (the city gets it with the next sync)."""
        db = self.cfg.db_path
        if not db.exists():
            log.warning("%s not journalled: no database yet (%s)", action, out.reason)
            return
        try:
            key = read_secret(self.cfg.path(self.cfg.secrets.hmac_key_file))
            store = Store.open(db, migrate=False)
            try:
                Ledger(store, SystemClock(), Pii(key), self.cfg.kiosk.id).event(
                    action, actor=ACTOR, subject=self.cfg.kiosk.id, reason=out.reason,
                    data={"from": out.installed, "to": out.offered, "steps": out.steps})
            finally:
                store.close()
            self._own_db()
        except Exception as exc:   # noqa: BLE001 - the kiosk must be started regardless
            log.error("could not journal %s: %s", action, exc)

    def _own_db(self) -> None:
        """Files root wrote next to the database go back to the kiosk user."""
        if os.geteuid() != 0 or not _user_exists("kiosk"):
            return
        pw = pwd.getpwnam("kiosk")
        for p in self.cfg.data_dir.glob("kiosk.db*"):
            os.chown(p, pw.pw_uid, pw.pw_gid)

    def _prune(self, keep: set[str]) -> None:
        for p in self.keep.glob(f"{self.cfg.updates.package}_*.deb"):
            if p.name not in keep:
                p.unlink()

    def _write_status(self, out: Outcome) -> None:
        try:
            self.keep.mkdir(parents=True, exist_ok=True)
            tmp = self.keep / "status.json.new"
            tmp.write_text(json.dumps(asdict(out), ensure_ascii=False, indent=1))
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.keep / "status.json")
        except OSError as exc:
            log.warning("could not write the update status: %s", exc)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
