"""The city simulator on its own: contract, auth, faults under a seed, command line."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
import re

import requests

from sim.city import CitySim, FaultPlan
from sim.city.faults import FaultConfigError, FaultInjector
from tests.sync.conftest import KIOSK, TOKEN
from tests.sync.helpers import ROOT, child_env

AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Kiosk-Id": KIOSK}


def test_catalog_has_forty_procedures_in_three_languages(city):
    r = requests.get(city.api_url + "/catalog", headers=AUTH, timeout=5)
    procs = r.json()["procedures"]
    assert len(procs) >= 40 and len({p["code"] for p in procs}) == len(procs)
    for p in procs:
        assert p["name"]["vi"] and p["name"]["en"] and p["name"]["zh"]
        assert p["documents"] and all(d["vi"] and d["en"] and d["zh"] for d in p["documents"])
        assert p["tray_size"] in ("S", "M", "L") and p["fee"] >= 0
        assert {"kiosk_receive", "kiosk_return", "online", "id_check"} <= set(p)
        assert re.fullmatch(r"[1-9]\.[0-9]{6}", p["code"])      # national code
        assert p["field"]["vi"] and p["field"]["en"] and p["field"]["zh"]
        assert p["handling_body"]["level"] in ("ward", "city") and p["handling_body"]["vi"]
        assert isinstance(p["processing_days"], int) and p["processing_days"] >= 0
        assert 0 <= p["fee_online"] <= p["fee"] and isinstance(p["boundary_free"], bool)
        assert all(d["originals"] + d["copies"] >= 1 for d in p["papers"])
    names = " ".join(p["name"]["vi"] for p in procs)
    for word in ("khai sinh", "kết hôn", "bản sao", "hộ kinh doanh", "giấy phép xây dựng",
                 "tạm trú", "khuyết tật", "mai táng"):
        assert word in names
    assert any(not p["kiosk_receive"] for p in procs)
    assert sum(p["kiosk_receive"] for p in procs) >= 40
    assert any(p["handling_body"]["level"] == "city" for p in procs)
    body = r.json()
    assert body["version"] and body["published"] and set(body["calendar"]) == {
        "days_off", "working_days"}
    assert "户籍" not in r.text and "档案" not in r.text       # glossary: avoid
    again = requests.get(city.api_url + "/catalog", timeout=5,
                         headers={**AUTH, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_requests_without_the_right_token_are_refused(city):
    assert requests.get(city.api_url + "/catalog", timeout=5).status_code == 401
    wrong = requests.get(city.api_url + "/catalog", timeout=5,
                         headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "token" in wrong.json()["message"]
    other = requests.get(city.api_url + "/catalog", timeout=5,
                         headers={**AUTH, "X-Kiosk-Id": "SOMEONE-ELSE"})
    assert other.status_code == 403


def test_events_are_deduplicated_by_key(city):
    ev = {"key": str(uuid.uuid4()), "kind": "alarm.tamper", "dossier_code": None, "seq": 1,
          "payload": {"subject": "A03"}}
    url = city.api_url + "/events"
    first = requests.post(url, json={"events": [ev]}, headers=AUTH, timeout=5).json()
    second = requests.post(url, json={"events": [ev, {"key": "short"}]}, headers=AUTH,
                           timeout=5).json()
    assert first == {"accepted": [ev["key"]], "duplicates": [], "rejected": []}
    assert second["duplicates"] == [ev["key"]] and second["rejected"][0]["key"] == "short"
    assert city.stats()["events"] == 1


def test_the_same_seed_gives_the_same_faults():
    def run(seed):
        inj = FaultInjector(FaultPlan(seed=seed, rate=0.5))
        return [inj.decide("PATCH" if i % 3 else "POST", "/uploads/ab" if i % 3 else "/events")
                for i in range(300)]
    assert run(7) == run(7)
    assert run(7) != run(8)
    kinds = {f.kind for f in run(7) if f}
    assert kinds == {"drop", "delay", "500", "429", "duplicate", "reorder", "cut"}


def test_fault_switches_by_api_are_checked(city):
    url = city.url + "/_sim/faults"
    ok = requests.post(url, json={"rate": 1.0, "kinds": ["500"]}, timeout=5)
    assert ok.status_code == 200 and ok.json()["kinds"] == ["500"]
    assert requests.get(city.api_url + "/ping", headers=AUTH, timeout=5).status_code == 500
    bad = requests.post(url, json={"rate": 2, "kinds": ["fire"]}, timeout=5)
    assert bad.status_code == 400 and "fire" in bad.json()["message"]
    with pytest.raises(FaultConfigError):
        FaultPlan.from_dict({"rate": 0.1, "colour": "red"})
    limited = requests.post(url, json={"rate": 1.0, "kinds": ["429"], "retry_after_s": 9},
                            timeout=5)
    assert limited.status_code == 200
    r = requests.get(city.api_url + "/ping", headers=AUTH, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "9"
    requests.post(url, json={"down": True}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(city.api_url + "/ping", headers=AUTH, timeout=5)


def test_results_follow_collection_after_the_processing_time(city):
    code = "HS260302-K7Q2M"
    events = [
        {"key": str(uuid.uuid4()), "kind": "dossier.created", "dossier_code": code, "seq": 1,
         "payload": {"to": "DRAFT", "procedure": "1.013225", "phone": "0912345678"}},
        {"key": str(uuid.uuid4()), "kind": "dossier.state", "dossier_code": code, "seq": 2,
         "payload": {"from": "DRAFT", "to": "DEPOSITED"}},
        {"key": str(uuid.uuid4()), "kind": "dossier.state", "dossier_code": code, "seq": 3,
         "payload": {"from": "DEPOSITED", "to": "COLLECTED"}},
    ]
    requests.post(city.api_url + "/events", json={"events": events}, headers=AUTH, timeout=5)
    empty = requests.get(city.api_url + "/results", headers=AUTH, timeout=5).json()
    assert empty == {"results": [], "cursor": "0", "more": False}
    requests.post(city.url + "/_sim/clock", json={"advance_s": 3600}, timeout=5)
    page = requests.get(city.api_url + "/results", headers=AUTH, timeout=5).json()
    (res,) = page["results"]
    assert res["dossier_code"] == code and res["phone"] == "0912345678"
    assert res["procedure_name"].startswith("Cấp giấy phép xây dựng")
    assert res["fee_due"] == 75000 and res["tray_size"] == "L" and res["id_check"] is True
    assert "*" in res["citizen_name_masked"]
    nxt = requests.get(city.api_url + "/results", params={"after": page["cursor"]},
                       headers=AUTH, timeout=5).json()
    assert nxt["results"] == [] and nxt["cursor"] == page["cursor"]


def test_results_of_office_only_procedures_do_not_come_to_the_kiosk(city):
    for code, proc in (("HS-A", "1.000894"), ("HS-B", "2.000635")):   # marriage: signed in person
        events = [{"key": str(uuid.uuid4()), "kind": "dossier.state", "dossier_code": code,
                   "seq": 1, "payload": {"from": "DEPOSITED", "to": "COLLECTED",
                                         "procedure": proc}}]
        requests.post(city.api_url + "/events", json={"events": events}, headers=AUTH,
                      timeout=5)
    city.advance(3601)
    page = requests.get(city.api_url + "/results", headers=AUTH, timeout=5).json()
    assert [r["dossier_code"] for r in page["results"]] == ["HS-B"]


def test_sms_and_heartbeat_are_recorded(city):
    body = {"key": "sms-1", "to": "0912345678", "text": "Xin chào"}
    a = requests.post(city.api_url + "/sms", json=body, headers=AUTH, timeout=5).json()
    b = requests.post(city.api_url + "/sms", json=body, headers=AUTH, timeout=5).json()
    assert a["sms_id"] == b["sms_id"] and b["duplicate"] is True
    bad = requests.post(city.api_url + "/sms", json={**body, "key": "sms-2", "to": "12345"},
                        headers=AUTH, timeout=5)
    assert bad.status_code == 422
    requests.post(city.api_url + "/heartbeat", json={"outbox_depth": 3}, headers=AUTH,
                  timeout=5)
    beat = requests.get(city.url + "/_sim/heartbeat", params={"kiosk": KIOSK},
                        timeout=5).json()["heartbeat"]
    assert beat["outbox_depth"] == 3 and beat["kiosk_id"] == KIOSK


def test_runs_alone_from_the_command_line(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "sim.city", "--port", "0", "--db",
                             str(tmp_path / "c.db"), "--token", f"{TOKEN}={KIOSK}",
                             "--fault-rate", "0", "--seed", "3"],
                            cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        r = requests.get(info["api"] + "/ping", headers=AUTH, timeout=5)
        assert r.status_code == 200 and r.json()["kiosk_id"] == KIOSK
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_command_line_refuses_a_bad_fault_kind(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim.city", "--port", "0", "--db",
                           str(tmp_path / "c.db"), "--faults", "drop,meteor"], cwd=ROOT,
                          env=child_env(), capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "meteor" in proc.stderr


def test_stop_is_idempotent_and_frees_the_port(tmp_path):
    sim = CitySim(tmp_path / "c.db").start()
    port = sim.port
    sim.stop()
    sim.stop()
    again = CitySim(tmp_path / "d.db", port=port).start()
    again.stop()
