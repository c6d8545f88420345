"""apt and dpkg, as the updater uses them: the suite of the profile, one package.

The profile's repository and suite get their own sources list and package lists under
the updater's folder, so switching a kiosk from ``canary`` to ``stable`` is one line of
the profile and the machine's other apt sources are neither read nor refreshed here.
Installing goes through ``apt-get install ./file.deb`` with the machine's sources (so a
new dependency can come from Debian) and keeps the technician's conffiles.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C.UTF-8"}
KEEP_CONFFILES = ["-o", "Dpkg::Options::=--force-confdef",
                  "-o", "Dpkg::Options::=--force-confold"]


class AptError(Exception):
    """apt or dpkg said no; the message carries what they said."""


def _run(cmd: list[str], *, cwd=None, timeout=900) -> str:
    try:
        r = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AptError(f"{' '.join(cmd[:3])} did not finish in {timeout} s") from None
    if r.returncode != 0:
        tail = (r.stderr.strip() or r.stdout.strip()).splitlines()[-6:]
        raise AptError(f"{' '.join(cmd[:3])} failed ({r.returncode}): " + " | ".join(tail))
    return r.stdout


def compare(a: str, op: str, b: str) -> bool:
    """Debian version comparison (dpkg --compare-versions a op b)."""
    return subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0


def installed_version(package: str) -> str | None:
    r = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev} ${Version}", package],
                       capture_output=True, text=True, env=ENV)
    if r.returncode != 0:
        return None
    status, _, version = r.stdout.partition(" ")
    return version.strip() if status.startswith("ii") else None


class Apt:
    def __init__(self, package: str, state_dir: str | Path, *, repository: str = "",
                 suite: str = "stable", keyring: str = ""):
        self.package = package
        self.state = Path(state_dir)
        self.repository, self.suite, self.keyring = repository, suite, keyring

    # ---- the suite of the profile ------------------------------------------------
    def _opts(self) -> list[str]:
        if not self.repository:
            return []
        lists = self.state / "lists"
        (lists / "partial").mkdir(parents=True, exist_ok=True)
        src = self.state / "sources.list"
        signed = f"[signed-by={self.keyring}] " if self.keyring else ""
        line = f"deb {signed}{self.repository} {self.suite} main\n"
        if not src.exists() or src.read_text() != line:
            src.write_text(line)
        return ["-o", f"Dir::Etc::SourceList={src}", "-o", "Dir::Etc::SourceParts=-",
                "-o", f"Dir::State::Lists={lists}"]

    def refresh(self) -> None:
        """apt-get update of the suite; a bad signature is an error, never a warning."""
        out = _run(["apt-get", "update", "-q", "-o", "APT::Update::Error-Mode=any"]
                   + self._opts(), timeout=600)
        if re.search(r"^(W|E): .*(NO_PUBKEY|not signed|BADSIG|EXPKEYSIG)", out, re.M):
            raise AptError("the repository's signature does not check out: " + out[-400:])

    def candidate(self) -> str | None:
        """The version the suite offers (None when it offers none)."""
        out = _run(["apt-cache", "policy", self.package] + self._opts())
        m = re.search(r"^\s*Candidate:\s*(\S+)", out, re.M)
        return None if not m or m.group(1) == "(none)" else m.group(1)

    def download(self, version: str, dest: str | Path) -> Path:
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        _run(["apt-get", "download", "-q", f"{self.package}={version}"] + self._opts(),
             cwd=dest)
        return self.find(version, dest) or _missing(self.package, version, dest)

    def find(self, version: str, folder: str | Path) -> Path | None:
        enc = version.replace(":", "%3a")
        hits = sorted(Path(folder).glob(f"{self.package}_{enc}_*.deb")) + \
            sorted(Path(folder).glob(f"{self.package}_{version.split(':')[-1]}_*.deb"))
        return hits[0] if hits else None

    # ---- installing ----------------------------------------------------------------
    def install(self, deb: str | Path, *, downgrade: bool = False) -> None:
        cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + KEEP_CONFFILES
        if downgrade:
            cmd.append("--allow-downgrades")
        _run(cmd + [str(Path(deb).resolve())], timeout=1800)


def _missing(package: str, version: str, dest: Path):
    raise AptError(f"apt-get download left no {package}_{version}_*.deb in {dest}")
