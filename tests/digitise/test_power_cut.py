"""Power cuts while an e-copy is made: at each step (crash points, as SQLite tests its
own crashes) and at a random moment of the OCR (the whole process group killed).
Afterwards nothing half-written is in the upload queue, and the restart finishes the
e-copy exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bench.vi_pages import make_page
from kiosk.digitise.signing import check_signature
from kiosk.store import Store
from tests.digitise.conftest import META, credentials

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def kiosk(tmp_path, client, city):
    credentials(tmp_path / "kiosk").ensure(client, datetime.now(timezone.utc))
    page, _ = make_page(31, a4=False, lines=5)
    path = tmp_path / "page-1.png"
    page.save(path, dpi=(200, 200))
    return tmp_path, path, city.ca.cert_path


def _child(folder, *args, crash: str | None = None, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KIOSK_CRASHPOINT", None)
    if crash:
        env["KIOSK_CRASHPOINT"] = crash
    return subprocess.Popen([sys.executable, "-m", "tests.digitise.ecopy_child", str(folder),
                             *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def _uploads(folder: Path) -> list[dict]:
    if not (folder / "kiosk.db").exists():
        return []
    store = Store.open(folder / "kiosk.db")
    try:
        return store.query("SELECT * FROM sync_uploads")
    except Exception:
        return []
    finally:
        store.close()


def _nothing_half_written(folder: Path, ca: Path) -> list[dict]:
    rows = _uploads(folder)
    for row in rows:                   # whatever is queued is whole and signed
        data = Path(row["path"]).read_bytes()
        assert len(data) == row["length"]
        assert check_signature(data, [ca])["ok"]
    return rows


def _restart_finishes(folder: Path, ca: Path, expect_job: bool = True) -> None:
    proc = _child(folder, "run")
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    rows = _nothing_half_written(folder, ca)
    assert len(rows) == (1 if expect_job else 0)
    if rows:
        assert rows[0]["dossier_code"] == META["dossier_code"]
    assert not list((folder / "jobs").glob("*.job")) and not list((folder / "jobs").glob("*.new"))


@pytest.mark.parametrize("crash", ["digitise.before_job_rename", "digitise.after_ocr",
                                   "digitise.after_sign", "digitise.after_queue"])
def test_a_cut_at_each_step(kiosk, crash):
    folder, page, ca = kiosk
    proc = _child(folder, "submit", page, crash=crash)
    _out, err = proc.communicate(timeout=240)
    assert proc.returncode == 137, err
    rows = _nothing_half_written(folder, ca)
    assert len(rows) == (1 if crash == "digitise.after_queue" else 0)
    # before the job folder was whole, the deposit never got past submit(): no job left
    _restart_finishes(folder, ca, expect_job=crash != "digitise.before_job_rename")


def test_a_cut_in_the_middle_of_the_ocr(kiosk):
    folder, page, ca = kiosk
    proc = _child(folder, "submit", page)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((folder / "jobs").glob("*.job/images.pdf")):
        time.sleep(0.05)
    time.sleep(0.8)                                   # OCR is under way in its child
    os.killpg(proc.pid, signal.SIGKILL)               # the power goes: every process
    proc.wait(timeout=10)
    assert _nothing_half_written(folder, ca) == []
    assert not list((folder / "jobs").glob("*.job/signed.pdf"))
    _restart_finishes(folder, ca)
