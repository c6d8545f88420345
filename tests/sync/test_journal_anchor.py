"""The city anchors each kiosk's journal: a real ledger's events and heartbeats over
HTTP chain cleanly; a rewritten row, a row that does not chain and a head that goes back
are breaks, reported at ``GET /_sim/journal?kiosk=ID`` with an alert."""
from __future__ import annotations

import json
import uuid

import requests

from sync.client import CityClient
from sync.heartbeat import HeartbeatBuilder
from sync.outbox import OutboxSender
from tests.sync.conftest import KIOSK, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Kiosk-Id": KIOSK}


def journal(city, kiosk=KIOSK):
    r = requests.get(city.url + "/_sim/journal", params={"kiosk": kiosk}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def work(ledger, n):
    for i in range(n):
        ledger.event("tray.checked", actor="staff:nv01", subject=f"A0{i % 9 + 1}",
                     reason="checked the latch")


def test_a_real_kiosk_chains_cleanly(city, ledger, sync_store, clock):
    client = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=5)
    try:
        work(ledger, 12)
        OutboxSender(sync_store, client, clock, batch_size=5).send_batch()
        outbox = OutboxSender(sync_store, client, clock, batch_size=50)
        outbox.send_batch()
        client.heartbeat(HeartbeatBuilder(KIOSK, ledger, outbox, clock).build())
    finally:
        client.close()
    got = journal(city)
    head = ledger.journal_head()
    assert got["breaks"] == [] and got["alert"] is None
    assert (got["head_seq"], got["head_hash"]) == (head["seq"], head["hash"])
    assert got["events_seen"] == 12


def _post(city, events):
    r = requests.post(city.api_url + "/events", headers=AUTH, timeout=5, json={
        "events": [{"key": str(uuid.uuid4()), "kind": "tray.checked", "dossier_code": None,
                    "seq": seq, "payload": {"journal_seq": seq, "journal_hash": h,
                                            "journal_prev": p}} for seq, h, p in events]})
    assert r.status_code == 200, r.text


def _beat(city, seq, h):
    r = requests.post(city.api_url + "/heartbeat", headers=AUTH, timeout=5,
                      json={"journal_head": {"seq": seq, "hash": h}})
    assert r.status_code == 200, r.text


def test_breaks_are_found_in_any_order_and_raise_an_alert(city, caplog):
    h = [f"{i:064x}" for i in range(10)]
    _post(city, [(3, h[3], h[2]), (1, h[1], "0" * 64)])       # out of order
    _post(city, [(2, h[2], h[1])])                             # fills the gap: chains
    _beat(city, 3, h[3])
    assert journal(city)["breaks"] == []
    _post(city, [(4, h[4], "f" * 64)])                         # does not chain to row 3
    _post(city, [(2, "e" * 64, h[1])])                         # row 2 rewritten
    _beat(city, 2, h[2])                                       # the head went back
    got = journal(city)
    kinds = [b["kind"] for b in got["breaks"]]
    assert kinds.count("does_not_chain") == 1 and "rewritten" in kinds
    assert "went_back" in kinds
    assert got["alert"] == "journal.chain_broken"
    assert city.db.query("SELECT value FROM counters WHERE name = 'journal_breaks'")[0][
        "value"] == len(kinds)
    assert "ALERT journal.chain_broken" in caplog.text
    assert journal(city, "OTHER")["breaks"] == []
    assert requests.get(city.url + "/_sim/journal", timeout=5).status_code == 400
    json.dumps(got)
