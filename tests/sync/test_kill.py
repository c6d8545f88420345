"""Kill the delivering kiosk process at random moments: nothing lost, nothing doubled."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import time

import pytest

from kiosk.store import Store
from tests.sync.conftest import KIOSK, TOKEN
from tests.sync.helpers import (ROOT, assert_exactly_once_in_order, child_cmd, child_env,
                                fill_outbox, run_child)


def _delivered(db) -> int:
    with Store.open(db) as store:
        return store.query_one("SELECT COUNT(*) n FROM outbox WHERE delivered_at IS NOT NULL")["n"]


@pytest.mark.slow
def test_sigkill_during_delivery_loses_and_doubles_nothing(city, sync_store, ledger):
    fill_outbox(ledger, 4000, dossiers=150)
    db = sync_store.path
    sync_store.close()
    city.set_faults(rate=1.0, kinds=["delay"], delay_s=0.01, seed=5)   # stretch delivery
    rng = random.Random(20261127)
    mid_delivery = 0
    before = _delivered(db)
    for _ in range(30):
        proc = subprocess.Popen(child_cmd(db, city.api_url, TOKEN, KIOSK, 20), cwd=ROOT,
                                env=child_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            json.loads(proc.stdout.readline())              # the worker is running
            time.sleep(rng.uniform(0.0, 0.15))
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait()
            proc.stdout.close()
        after = _delivered(db)
        if proc.returncode == -signal.SIGKILL and before < after < 4000:
            mid_delivery += 1
        before = after
    proc = run_child(db, city.api_url, TOKEN, KIOSK, 20)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1])["drained"]
    assert mid_delivery >= 10
    with Store.open(db) as store:
        assert store.integrity_check() == "ok"
        assert_exactly_once_in_order(city, store, KIOSK)
        assert store.query_one("SELECT COUNT(*) n FROM outbox WHERE delivered_at IS NULL")[
            "n"] == 0


def test_crash_between_send_and_mark_resends_as_duplicates(city, sync_store, ledger):
    """The city stored the batch, the kiosk died before writing it down: the next
    start sends it again and the city answers 'duplicate'."""
    fill_outbox(ledger, 40, dossiers=4)
    db = sync_store.path
    sync_store.close()
    proc = run_child(db, city.api_url, TOKEN, KIOSK, 10,
                     KIOSK_CRASHPOINT="sync.outbox.after_send")
    assert proc.returncode == 137
    assert city.stats()["events"] == 10 and _delivered(db) == 0
    proc = run_child(db, city.api_url, TOKEN, KIOSK, 10)
    assert proc.returncode == 0, proc.stderr[-2000:]
    stats = city.stats()
    assert stats["events"] == 40 and stats["events_duplicate"] == 10
    with Store.open(db) as store:
        assert_exactly_once_in_order(city, store, KIOSK)




@pytest.mark.parametrize("point", ["sync.upload.after_create", "sync.upload.after_patch"])
def test_crash_during_an_upload_resumes_without_a_second_upload(city, sync_store, client,
                                                                 clock, tmp_path, point):
    import hashlib
    from sync.uploads import UploadQueue
    data = b"%PDF-1.7\n" + bytes(range(256)) * 3000
    UploadQueue(sync_store, client, clock, tmp_path / "uploads",
                chunk_size=256 * 1024).upload("HS0009", data, key="upload-HS0009")
    db = sync_store.path
    sync_store.close()
    assert run_child(db, city.api_url, TOKEN, KIOSK, 10, KIOSK_CRASHPOINT=point
                     ).returncode == 137
    proc = run_child(db, city.api_url, TOKEN, KIOSK, 10)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (row,) = city.db.query("SELECT * FROM uploads")
    assert row["complete"] == 1
    assert hashlib.sha256(city.db.upload_bytes(row["id"])).hexdigest() == \
        hashlib.sha256(data).hexdigest()
