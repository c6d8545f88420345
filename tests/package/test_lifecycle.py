"""install → upgrade (an edited profile survives) → remove (data stays) → purge (data
goes, except a database with dossiers still in trays), in a Debian 12 chroot, with the
package coming from the signed repository as on a kiosk: ``apt install kiosk``."""
from __future__ import annotations

import os
import re
import sqlite3
import stat

import pytest

from tests.package.chroot import derive, make_repo

APT = "apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def repo(work, deb):
    r = work / "repo"
    make_repo(r, [deb], suite="stable")
    return r


def test_apt_install_kiosk(chroot, repo, version):
    chroot.add_repo(repo, "stable")
    chroot.sh(f"apt-get update -q && {APT} install kiosk")
    assert chroot.sh("kiosk --version").stdout.strip() == f"kiosk {version}"
    ent = chroot.sh("getent passwd kiosk").stdout.split(":")
    assert ent[5] == "/var/lib/kiosk" and ent[6].strip() == "/usr/sbin/nologin"
    groups = chroot.sh("id -nG kiosk").stdout.split()
    assert {"kiosk", "dialout", "video", "input", "render", "gpio"} <= set(groups)
    data = chroot.p("/var/lib/kiosk")
    assert mode(data) == 0o750 and chroot.sh("stat -c %U /var/lib/kiosk").stdout.strip() == "kiosk"
    secrets = chroot.p("/etc/kiosk/secrets")
    assert mode(secrets) == 0o700
    key = secrets / "hmac.key"
    assert mode(key) == 0o600 and re.fullmatch(r"[0-9a-f]{64}\n", key.read_text())
    token = secrets / "city.token"
    assert mode(token) == 0o600 and token.read_bytes() == b""
    assert chroot.sh("stat -c %U:%G /etc/kiosk/secrets/hmac.key").stdout.strip() == "kiosk:kiosk"
    # the profile is the shipped default and names its suite
    assert 'suite = "stable"' in chroot.p("/etc/kiosk/kiosk.toml").read_text()
    chroot.sh("kiosk check-config /etc/kiosk/kiosk.toml")
    # byte-code compiled on the machine, not shipped
    assert list(chroot.p("/usr/lib/kiosk/lib").rglob("__pycache__"))
    # the update timer is enabled, the kiosk itself waits for the technician
    link = chroot.p("/etc/systemd/system/timers.target.wants/kiosk-update.timer")
    assert os.readlink(link) == "/lib/systemd/system/kiosk-update.timer"
    assert not list(chroot.p("/etc/systemd/system").rglob("kiosk.service"))


def test_upgrade_keeps_edited_profile_and_secrets(chroot, repo, deb, work, version):
    profile = chroot.p("/etc/kiosk/kiosk.toml")
    edited = profile.read_text().replace('id = "Q6-KIOSK-01"', 'id = "BT-KIOSK-07"')
    profile.write_text(edited)
    key = chroot.p("/etc/kiosk/secrets/hmac.key").read_bytes()

    def new_default(tree):    # the next release changes the shipped profile too
        p = tree / "etc/kiosk/kiosk.toml"
        p.write_text(p.read_text().replace("heartbeat_s = 60", "heartbeat_s = 30"))

    nxt = derive(deb, work, f"{version}+next1", edit=new_default)
    make_repo(repo, [nxt], suite="stable")
    chroot.add_repo(repo, "stable")
    chroot.sh(f"apt-get update -q && {APT} install kiosk")
    assert chroot.sh("kiosk --version").stdout.strip() == f"kiosk {version}+next1"
    assert profile.read_text() == edited                        # the technician's edit
    assert "heartbeat_s = 30" in chroot.p("/etc/kiosk/kiosk.toml.dpkg-dist").read_text()
    assert chroot.p("/etc/kiosk/secrets/hmac.key").read_bytes() == key


def test_remove_keeps_data_secrets_and_profile(chroot):
    db = chroot.p("/var/lib/kiosk/kiosk.db")
    sqlite3.connect(db).executescript("CREATE TABLE trays (id TEXT, state TEXT, "
                                      "dossier_code TEXT); INSERT INTO trays VALUES "
                                      "('A01', 'OCCUPIED_DEPOSIT', 'HS-0001');").close()
    chroot.sh(f"{APT} remove kiosk")
    assert not chroot.p("/usr/lib/kiosk").exists()              # no byte-code left behind
    assert not chroot.p("/usr/bin/kiosk").exists()
    for path in ("/var/lib/kiosk/kiosk.db", "/etc/kiosk/secrets/hmac.key",
                 "/etc/kiosk/kiosk.toml"):
        assert chroot.p(path).exists(), path


def test_purge_keeps_database_with_dossiers_in_trays(chroot):
    chroot.p("/var/lib/kiosk/uploads/x.pdf").write_bytes(b"%PDF-1.4")
    r = chroot.sh(f"{APT} purge kiosk")
    assert "dossiers are still in trays" in r.stdout + r.stderr
    assert chroot.p("/var/lib/kiosk/kiosk.db").exists()
    assert chroot.p("/etc/kiosk/secrets/hmac.key").exists()
    assert not chroot.p("/var/lib/kiosk/uploads").exists()
    assert not chroot.p("/etc/kiosk/kiosk.toml").exists()      # conffiles go on purge


def test_purge_with_empty_trays_removes_everything(chroot):
    chroot.sh(f"{APT} install kiosk")
    con = sqlite3.connect(chroot.p("/var/lib/kiosk/kiosk.db"))
    con.execute("UPDATE trays SET state = 'EMPTY', dossier_code = NULL")
    con.commit()
    con.close()
    chroot.sh(f"{APT} purge kiosk")
    assert not chroot.p("/var/lib/kiosk").exists()
    assert not chroot.p("/etc/kiosk").exists()
    assert chroot.sh("dpkg-query -W -f '${db:Status-Abbrev}' kiosk", check=False
                     ).stdout.strip() in ("", "un")
