"""Resumable uploads: cut in the middle, resumed from where the server stopped."""
from __future__ import annotations

import hashlib
import random

import pytest

from sync.errors import CityError, UploadChecksumMismatch
from sync.uploads import UploadQueue
from tests.sync.conftest import KIOSK


def _pdf(rng: random.Random, size: int) -> bytes:
    body = rng.randbytes(size)
    return b"%PDF-1.7\n" + body + b"\n%%EOF\n"


@pytest.mark.slow
def test_two_hundred_uploads_cut_at_random_offsets(city, sync_store, client, clock, tmp_path):
    rng = random.Random(200)
    queue = UploadQueue(sync_store, client, clock, tmp_path / "uploads", chunk_size=48 * 1024)
    originals = {}
    for i in range(200):
        data = _pdf(rng, rng.randint(2_000, 200_000))
        key = f"upload-HS{i:04d}"
        queue.upload(f"HS{i:04d}", data, key=key)
        originals[key] = data
    city.set_faults(rate=0.35, kinds=["cut", "drop", "500", "duplicate"], seed=17,
                    paths=["/uploads"])
    failures = 0
    for _ in range(3000):
        if not queue.pending():
            break
        try:
            queue.run_once(limit=5)
        except CityError:
            failures += 1
    assert not queue.pending()
    assert city.stats()["faults"].get("cut", 0) >= 20
    assert failures > 0
    rows = city.db.query("SELECT * FROM uploads WHERE kiosk_id = ?", (KIOSK,))
    assert len(rows) == 200 and all(r["complete"] for r in rows)
    by_key = {r["key"]: r for r in rows}
    for key, data in originals.items():
        stored = city.db.upload_bytes(by_key[key]["id"])
        assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest()
        assert queue.status(key)["state"] == "done"
    assert not list((tmp_path / "uploads").glob("*.pdf"))   # local copies removed


def test_upload_is_queued_offline_and_sent_when_the_link_returns(city, sync_store, client,
                                                                clock, tmp_path):
    queue = UploadQueue(sync_store, client, clock, tmp_path / "uploads")
    city.set_faults(down=True)
    data = _pdf(random.Random(1), 600_000)
    queue.upload("HS0001", data, key="upload-HS0001")
    queue.upload("HS0001", data, key="upload-HS0001")     # a retried call: one upload
    with pytest.raises(CityError):
        queue.run_once()
    assert queue.status("upload-HS0001")["attempts"] == 1
    city.set_faults(down=False)
    assert queue.run_once() == 1
    row = city.db.query("SELECT * FROM uploads")[0]
    assert row["complete"] == 1 and row["dossier_code"] == "HS0001"
    assert city.db.upload_bytes(row["id"]) == data


def test_server_refuses_a_file_whose_checksum_differs(city, client):
    data = b"%PDF-1.4 one page"
    created = client.upload_create(key="bad-sum", length=len(data),
                                   sha256=hashlib.sha256(b"something else").hexdigest(),
                                   dossier_code="HS0002", filename="HS0002.pdf")
    with pytest.raises(UploadChecksumMismatch):
        client.upload_patch(created["location"], 0, data)
    assert client.upload_offset(created["location"]) == (0, len(data), False)
