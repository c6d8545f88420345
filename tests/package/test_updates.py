"""The updater for real: apt from the signed repository, dpkg, ``kiosk doctor --strict``
against a city simulator, and the rollback of a deliberately broken version."""
from __future__ import annotations

import json
import sqlite3

import pytest

from sim.city.server import CitySim
from tests.package.chroot import derive, make_repo, run

KIOSK_ID = "TEST-KIOSK-01"
TOKEN = "tok-test-kiosk-01"
APT = "apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"


def profile(api_url: str, *, suite: str, window: str = "02:00-04:00") -> str:
    return f"""
[kiosk]
id = "{KIOSK_ID}"
name = "Máy thử"
data_dir = "/var/lib/kiosk"

[secrets]
hmac_key_file = "/etc/kiosk/secrets/hmac.key"
city_token_file = "/etc/kiosk/secrets/city.token"
staff_totp_file = "/etc/kiosk/secrets/staff-totp.json"

[city]
base_url = "{api_url}"
timeout_s = 5

[updates]
suite = "{suite}"
window = "{window}"
repository = "file:/srv/repo"
keyring = "/usr/share/keyrings/kiosk-archive-keyring.gpg"
quiet_s = 0

[gpio]
pin_factory = "mock"

[[cabinets]]
id = "A"
tray_count = 2

  [[cabinets.trays]]
  first = 1
  count = 2
  size = "M"
  relay_pins = [17, 18]
  door_pins = [22, 23]

[printer]
enabled = false

[scanner]
enabled = false

[code_reader]
enabled = false

[modem]
enabled = false
"""


@pytest.fixture(scope="module")
def city(work):
    sim = CitySim(work / "city.db", tokens={TOKEN: KIOSK_ID}).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def kiosk(chroot, work, deb, city):
    """v1 installed from stable, the profile filled in, doctor --strict passing."""
    repo = work / "repo"
    make_repo(repo, [deb])
    chroot.add_repo(repo, "stable")
    chroot.sh(f"apt-get update -q && {APT} install kiosk")
    chroot.p("/etc/kiosk/kiosk.toml").write_text(profile(city.api_url, suite="stable"))
    chroot.sh(f"umask 077; printf '%s\\n' {TOKEN} > /etc/kiosk/secrets/city.token; "
              "echo '{}' > /etc/kiosk/secrets/staff-totp.json; "
              "chown kiosk:kiosk /etc/kiosk/secrets/*")
    r = chroot.sh("runuser -u kiosk -- kiosk doctor --strict --config /etc/kiosk/kiosk.toml",
                  check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    # the timer's first run keeps a copy of the installed version for a rollback
    chroot.sh("kiosk update run --config /etc/kiosk/kiosk.toml")
    assert list(chroot.p("/var/lib/kiosk/updates").glob("kiosk_*.deb"))
    return repo


def publish(chroot, repo, debs, suite: str) -> None:
    """Into the repository, and out to the kiosk's copy of it (a mirror sync)."""
    make_repo(repo, debs, suite=suite)
    chroot.add_repo(repo, "stable")


def reset_suite(chroot, repo, suite: str, deb) -> None:
    import os
    run(["reprepro", "-b", str(repo), "remove", suite, "kiosk"],
        env={**os.environ, "GNUPGHOME": str(repo.parent / "repo-gnupg")})   # the test key
    publish(chroot, repo, [deb], suite)


def update(chroot, *args) -> tuple[int, dict, str]:
    r = chroot.sh("kiosk update run --config /etc/kiosk/kiosk.toml " + " ".join(args),
                  check=False)
    status = json.loads(chroot.p("/var/lib/kiosk/updates/status.json").read_text())
    return r.returncode, status, r.stdout + r.stderr


def installed(chroot) -> str:
    return chroot.sh("dpkg-query -W -f '${Version}' kiosk").stdout.strip()


def events(chroot, kind: str) -> list[dict]:
    con = sqlite3.connect(chroot.p("/var/lib/kiosk/kiosk.db"))
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM outbox WHERE kind = ?", (kind,))]
    finally:
        con.close()


def test_nothing_outside_the_window(chroot, kiosk, work, deb, version, city):
    # a window that is never now: one minute that ended one minute ago
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    a, b = now - timedelta(minutes=3), now - timedelta(minutes=2)
    chroot.p("/etc/kiosk/kiosk.toml").write_text(
        profile(city.api_url, suite="stable", window=f"{a:%H:%M}-{b:%H:%M}"))
    publish(chroot, kiosk, [derive(deb, work, f"{version}+1w")], "stable")
    code, status, out = update(chroot)
    assert code == 0 and status["status"] == "outside-window", out
    assert installed(chroot) == version


def test_broken_version_is_rolled_back_and_reported(chroot, kiosk, work, deb, version, city):
    def break_ui(tree):
        init = next((tree / "usr/lib/kiosk/lib").glob("python3*/site-packages/ui/__init__.py"))
        init.write_text('raise ImportError("deliberately broken build")\n')

    broken = derive(deb, work, f"{version}+2broken", edit=break_ui)
    publish(chroot, kiosk, [broken], "stable")
    chroot.p("/etc/kiosk/kiosk.toml").write_text(profile(city.api_url, suite="stable"))
    code, status, out = update(chroot, "--ignore-window")
    assert code == 1 and status["status"] == "rolled-back", out
    assert "doctor --strict failed" in status["reason"]
    assert "deliberately broken" in status["reason"]
    assert installed(chroot) == version                       # the previous one, again
    assert chroot.sh("kiosk --version").stdout.strip() == f"kiosk {version}"
    assert chroot.p(f"/var/lib/kiosk/updates/kiosk-before-{version}+2broken.db").exists()
    # reported to the city: journal + outbox, then delivered by the kiosk's sync
    rows = events(chroot, "update.rolled_back")
    assert len(rows) == 1 and "deliberately broken" in rows[0]["payload"]
    from kiosk.clock import SystemClock
    from kiosk.store import Store
    from sync.client import CityClient
    from sync.outbox import OutboxSender
    store = Store.open(chroot.p("/var/lib/kiosk/kiosk.db"), migrate=False)
    try:
        with CityClient(city.api_url, TOKEN, KIOSK_ID) as client:
            OutboxSender(store, client, SystemClock()).send_batch()
    finally:
        store.close()
    got = [e for e in city.db.events(KIOSK_ID) if e["kind"] == "update.rolled_back"]
    assert got and "deliberately broken" in json.dumps(got[0], ensure_ascii=False)
    # the rolled-back kiosk still passes its own strict check
    chroot.sh("runuser -u kiosk -- kiosk doctor --strict --config /etc/kiosk/kiosk.toml")


def test_canary_gets_the_good_version_stable_does_not(chroot, kiosk, work, deb, version,
                                                      city):
    good = derive(deb, work, f"{version}+3good")
    publish(chroot, kiosk, [good], "canary")
    reset_suite(chroot, kiosk, "stable", deb)                          # stable: back to v1
    code, status, out = update(chroot, "--ignore-window")      # profile: stable
    assert status["status"] == "none" and installed(chroot) == version, out
    chroot.p("/etc/kiosk/kiosk.toml").write_text(profile(city.api_url, suite="canary"))
    code, status, out = update(chroot, "--ignore-window")
    assert code == 0 and status["status"] == "installed", out
    assert installed(chroot) == f"{version}+3good"
    kept = sorted(p.name for p in chroot.p("/var/lib/kiosk/updates").glob("kiosk_*.deb"))
    assert len(kept) == 2 and any(f"{version}+3good" in k for k in kept)   # new + previous
    assert events(chroot, "update.installed")


def test_breaking_migration_without_reverse_is_refused(chroot, kiosk, work, deb, version,
                                                       city):
    def breaking(tree):
        m = tree / "usr/lib/kiosk/migrations.json"
        doc = json.loads(m.read_text())
        doc["migrations"].append({"name": "core-0099-drop-phone", "compatible": False,
                                  "down": None})
        m.write_text(json.dumps(doc))

    before = installed(chroot)
    publish(chroot, kiosk, [derive(deb, work, f"{version}+4mig", edit=breaking)], "canary")
    code, status, out = update(chroot, "--ignore-window")
    assert code == 1 and status["status"] == "refused", out
    assert "core-0099-drop-phone" in status["reason"] and "no reverse" in status["reason"]
    assert installed(chroot) == before
    assert events(chroot, "update.refused")


def test_open_transaction_makes_the_update_wait(chroot, kiosk, work, deb, version, city):
    import subprocess
    holder = subprocess.Popen(
        ["chroot", str(chroot.path), "/usr/lib/kiosk/bin/python", "-c",
         "import sys, time; from kiosk.updates.gate import UpdateGate; "
         "h = UpdateGate('/var/lib/kiosk/update.lock').begin(); print('held', flush=True); "
         "sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        publish(chroot, kiosk, [derive(deb, work, f"{version}+5good")], "canary")
        before = installed(chroot)
        code, status, out = update(chroot, "--ignore-window")
        assert status["status"] == "busy" and "transaction" in status["reason"], out
        assert installed(chroot) == before
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
