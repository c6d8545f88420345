"""The city simulator checks every finished upload: a signed PDF/A e-copy is taken, a
tampered or unsigned one is refused with a clear error, and stays refused."""
from __future__ import annotations

import hashlib

import pytest

from kiosk.clock import ManualClock
from kiosk.store import Store
from sync.client import CityClient
from sync.schema import ensure_schema
from sync.uploads import UploadQueue
from tests.digitise.conftest import KIOSK, TOKEN


@pytest.fixture
def queue(tmp_path, session_city):
    store = Store.open(tmp_path / "kiosk.db")
    ensure_schema(store)
    client = CityClient(session_city.api_url, TOKEN, KIOSK, timeout_s=5)
    yield UploadQueue(store, client, ManualClock(), tmp_path / "uploads", chunk_size=64 * 1024)
    client.close()
    store.close()


def _upload(queue, code, data):
    queue.upload(code, data, key=f"upload-{code}")
    queue.run_once()
    return queue.status(f"upload-{code}")


def test_a_signed_ecopy_is_taken_with_its_sha256(queue, ecopy, session_city):
    row = _upload(queue, "HS-OK-1", ecopy[0])
    assert row["state"] == "done", row["last_error"]
    assert row["sha256"] == hashlib.sha256(ecopy[0]).hexdigest()
    check = session_city.db.query("SELECT ok, signer, pdfa FROM ecopy_checks c JOIN uploads u "
                                  "ON u.id = c.upload_id WHERE u.key = 'upload-HS-OK-1'")
    assert check == [{"ok": 1, "signer": KIOSK, "pdfa": "2B"}]


def test_a_tampered_ecopy_is_refused_with_the_reason(queue, ecopy, session_city):
    data = ecopy[0]
    at = data.index(b"\xff\xd8\xff") + 3000
    tampered = data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]
    row = _upload(queue, "HS-BAD-1", tampered)
    assert row["state"] == "failed"
    assert "422 ecopy_tampered" in row["last_error"]
    assert "changed after it was signed" in row["last_error"]
    uid = session_city.db.query("SELECT id FROM uploads WHERE key = 'upload-HS-BAD-1'")[0]["id"]
    client = queue.client                                     # asking again: same answer
    from sync.errors import CityRejected
    with pytest.raises(CityRejected, match="ecopy_tampered"):
        client.upload_patch(f"/api/v1/uploads/{uid}", len(tampered), b"")


def test_an_unsigned_pdf_is_refused(queue, ecopy):
    unsigned = (ecopy[3] / "work" / "ocr.pdf").read_bytes()
    row = _upload(queue, "HS-BAD-2", unsigned)
    assert row["state"] == "failed"
    assert "ecopy_unsigned" in row["last_error"] and "no signature" in row["last_error"]


def test_an_ecopy_signed_for_another_kiosk_is_refused(tmp_path, session_city, ecopy):
    store = Store.open(tmp_path / "k2.db")
    ensure_schema(store)
    session_city.tokens["tok-other"] = "SIM-BINHTAY-02"
    client = CityClient(session_city.api_url, "tok-other", "SIM-BINHTAY-02", timeout_s=5)
    q = UploadQueue(store, client, ManualClock(), tmp_path / "up2")
    row = _upload(q, "HS-BAD-3", ecopy[0])
    assert row["state"] == "failed" and "ecopy_wrong_signer" in row["last_error"]
    client.close()
    store.close()
