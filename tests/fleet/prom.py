"""Start Debian's real Prometheus server on 127.0.0.1 (a free port, found from the
process's own listening socket) with a scrape configuration and rules for a test."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "config/prometheus/kiosk-rules.yml"


def listening_port(pid: int) -> int | None:
    """The TCP port a process listens on, from /proc (LISTEN = state 0A)."""
    try:
        inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1]
                  for fd in os.listdir(f"/proc/{pid}/fd")
                  if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")}
    except OSError:
        return None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A" and f[9] in inodes:
                return int(f[1].rsplit(":", 1)[1], 16)
    return None


def short_rules(dest: Path, for_s: str = "1s") -> Path:
    """The shipped rules with every ``for`` shortened, so that a test need not wait
    minutes; the expressions and labels are the shipped ones."""
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = for_s
    dest.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return dest


class Prometheus:
    def __init__(self, folder: Path, target: str, *, interval: str = "1s",
                 labels: dict | None = None):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        rules = short_rules(folder / "rules.yml")
        config = {
            "global": {"scrape_interval": interval, "evaluation_interval": interval,
                       "scrape_timeout": interval},
            "rule_files": [str(rules)],
            "scrape_configs": [{"job_name": "kiosk", "static_configs": [
                {"targets": [target], "labels": labels or {}}]}],
        }
        (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.proc = None
        self.url = None

    def start(self, timeout: float = 30.0) -> "Prometheus":
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("the 'prometheus' Debian package is not installed: "
                               "apt-get install prometheus")
        self.log = open(self.folder / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={self.folder / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.folder / 'data'}",
             "--web.listen-address=127.0.0.1:0", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("prometheus exited: " +
                                   (self.folder / "prometheus.log").read_text()[-2000:])
            port = listening_port(self.proc.pid)
            if port:
                self.url = f"http://127.0.0.1:{port}"
                try:
                    if requests.get(self.url + "/-/ready", timeout=1).status_code == 200:
                        return self
                except requests.RequestException:
                    pass
            time.sleep(0.1)
        raise RuntimeError("prometheus did not become ready")

    def alerts(self) -> list[dict]:
        return requests.get(self.url + "/api/v1/alerts", timeout=5).json()["data"]["alerts"]

    def firing(self, name: str) -> list[dict]:
        return [a for a in self.alerts() if a["labels"]["alertname"] == name
                and a["state"] == "firing"]

    def query(self, expr: str) -> list[dict]:
        r = requests.get(self.url + "/api/v1/query", params={"query": expr}, timeout=5)
        return r.json()["data"]["result"]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None:
            self.log.close()
