"""What the built package holds, and what lintian says about it."""
from __future__ import annotations

import configparser
import json
from pathlib import Path

from tests.package.chroot import deb_field, run, tar_names

ROOT = Path(__file__).resolve().parents[2]


def test_version_comes_from_setup_cfg(deb, version):
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert version == cfg["metadata"]["version"]
    assert deb.name == f"kiosk_{version}_{deb_field(deb, 'Architecture')}.deb"


def test_files_in_their_debian_places(deb):
    names = {n.lstrip(".") for n in tar_names(deb)}
    for path in ("/usr/bin/kiosk", "/usr/lib/kiosk/bin/python", "/usr/lib/kiosk/bin/kiosk",
                 "/usr/lib/kiosk/migrations.json",
                 "/lib/systemd/system/kiosk.service",
                 "/lib/systemd/system/kiosk-update.service",
                 "/lib/systemd/system/kiosk-update.timer",
                 "/lib/udev/rules.d/99-kiosk.rules",
                 "/usr/share/polkit-1/rules.d/50-kiosk-power.rules",
                 "/usr/lib/systemd/journald.conf.d/kiosk.conf",
                 "/etc/pam.d/kiosk", "/etc/kiosk/kiosk.toml",
                 "/usr/share/doc/kiosk/install.md", "/usr/share/doc/kiosk/copyright"):
        assert path in names, path
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("/opt")]
    # no secret ships in the package: they are made on the kiosk by postinst
    assert not [n for n in names if n.startswith("/etc/kiosk/secrets")]


def test_conffiles_and_maintainer_scripts(deb, tmp_path):
    run(["dpkg-deb", "-e", str(deb), str(tmp_path / "ctl")])
    conffiles = (tmp_path / "ctl" / "conffiles").read_text().split()
    assert "/etc/kiosk/kiosk.toml" in conffiles and "/etc/pam.d/kiosk" in conffiles
    for script in ("postinst", "prerm", "postrm"):
        run(["sh", "-n", str(tmp_path / "ctl" / script)])
    unit = run(["sh", "-c", f"dpkg-deb --fsys-tarfile {deb} | tar -xO "
                            "./lib/systemd/system/kiosk.service"]).stdout
    assert "ExecStart=/usr/bin/cage -d -- /usr/bin/kiosk run --config /etc/kiosk/kiosk.toml" \
        in unit
    assert "/opt/" not in unit
    manifest = json.loads(run(["sh", "-c", f"dpkg-deb --fsys-tarfile {deb} | tar -xO "
                                           "./usr/lib/kiosk/migrations.json"]).stdout)
    assert {"core-0001-initial", "sync-0001-tables"} <= {m["name"] for m in
                                                         manifest["migrations"]}


def test_lintian_reports_no_errors(deb):
    log = ROOT / "build" / "deb" / "lintian.log"
    assert log.exists(), "make deb writes build/deb/lintian.log"
    errors = [ln for ln in log.read_text().splitlines() if ln.startswith("E:")]
    assert errors == []
