"""The catalog is never empty: the shipped snapshot until the city answers, the city's
catalog when it is not older, and the commands that show what the kiosk offers."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalog import SNAPSHOT, paper_lines, snapshot
from kiosk.clock import ManualClock
from kiosk.store import Store
from sync.catalog import CatalogCache
from sync.client import CityClient
from sync.errors import CityError
from sync.schema import ensure_schema

ROOT = Path(__file__).resolve().parents[2]
TOKEN, KIOSK = "tok-test-0123456789", "TEST-01"


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "kiosk.db")
    ensure_schema(s)
    yield s
    s.close()


@pytest.fixture
def city(tmp_path):
    from sim.city import CitySim
    sim = CitySim(tmp_path / "city.db", tokens={TOKEN: KIOSK}).start()
    yield sim
    sim.stop()


def test_snapshot_ships_with_version_date_and_forty_receivable_procedures():
    doc = snapshot()
    assert SNAPSHOT.is_file() and doc["version"] and len(doc["published"]) == 10
    receivable = [p for p in doc["procedures"] if p["kiosk_receive"]]
    assert len(receivable) >= 40
    for p in doc["procedures"]:
        assert p["code"][1] == "." and len(p["code"]) == 8        # e.g. 1.001193
        assert {"vi", "en", "zh"} <= set(p["name"]) and p["handling_body"]["level"]
        assert all({"originals", "copies"} <= set(d) for d in p["papers"])
    assert "户籍" not in SNAPSHOT.read_text("utf-8")
    # the package data makes it into an installed copy too
    assert "*.json" in (ROOT / "setup.cfg").read_text("utf-8")


def test_a_kiosk_that_never_reached_the_city_offers_the_snapshot(store):
    dead = CityClient("http://127.0.0.1:9/api/v1", TOKEN, KIOSK, timeout_s=0.3)
    cache = CatalogCache(store, dead, ManualClock())
    with pytest.raises(CityError):
        cache.refresh()
    assert cache.source()["origin"] == "snapshot"
    assert cache.source()["version"] == snapshot()["version"]
    codes = [p["code"] for p in cache.procedures()]
    assert "1.001193" in codes and len(codes) >= 40
    dead.close()


def test_the_city_catalog_replaces_the_snapshot_when_not_older(store, city):
    client = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=5)
    cache = CatalogCache(store, client, ManualClock())
    seen = []
    cache.subscribe(lambda: seen.append(cache.source()["origin"]))
    assert cache.refresh() is True and seen == ["city"]
    src = cache.source()
    assert src["origin"] == "city" and src["version"] == city.catalog_doc()[0]
    assert set(src["calendar"]) == {"days_off", "working_days"}
    # a city catalog published before the snapshot (an old gateway): the snapshot wins
    store.set_setting("sync.catalog_meta", {"version": "old", "published": "2025-07-01",
                                            "calendar": {}})
    cache._memo = None
    assert cache.source()["origin"] == "snapshot"
    # the city publishes a newer one with a new procedure: shown at once
    doc = json.loads(city.catalog_doc()[1])
    doc["published"], doc["version"] = "2099-01-01", "2099-01-01.test"
    doc["procedures"].append({**doc["procedures"][0], "code": "9.999999",
                              "name": {"vi": "Thủ tục mới", "en": "New", "zh": "新手续"}})
    city._catalog = (doc["version"], json.dumps(doc, ensure_ascii=False))
    assert cache.refresh() is True
    assert cache.source()["version"] == "2099-01-01.test"
    assert cache.procedure("9.999999")["names"]["vi"] == "Thủ tục mới"
    client.close()


def test_papers_say_how_many_originals_and_copies():
    lines = paper_lines([{"vi": "Tờ khai", "en": "Form", "zh": "申请表", "originals": 1,
                          "copies": 2}, {"vi": "Ảnh", "en": "Photo", "zh": "照片"}])
    assert lines["vi"] == ["Tờ khai (1 bản chính, 2 bản sao)", "Ảnh"]
    assert lines["en"][0] == "Form (1 original, 2 copies)"
    assert lines["zh"][0] == "申请表 (原件1份、复印件2份)"


def _fresh_profile(tmp_path) -> Path:
    profile = tmp_path / "fresh.toml"
    text = (ROOT / "config/sim.toml").read_text("utf-8")
    text = text.replace('data_dir = "../var/sim"', f'data_dir = "{tmp_path / "data"}"')
    text = text.replace('base_url = "http://127.0.0.1:8765/api/v1"',
                        'base_url = "http://127.0.0.1:9/api/v1"')       # nobody there
    profile.write_text(text, "utf-8")
    return profile


def test_catalog_list_json_on_a_fresh_data_folder_with_the_city_unreachable(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalog", "list", "--config",
                           str(_fresh_profile(tmp_path)), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) >= 40
    for r in rows:
        assert {"code", "name_vi", "name_en", "name_zh", "processing_days", "fee",
                "kiosk_receive", "kiosk_return"} <= set(r)
        assert r["kiosk_receive"] is True and isinstance(r["processing_days"], int)
    birth = next(r for r in rows if r["code"] == "1.001193")
    assert birth["name_vi"] == "Đăng ký khai sinh" and birth["name_zh"] == "出生登记"
    assert birth["handling_body"] == "Trung tâm Phục vụ hành chính công phường Bình Tây"
    assert not (tmp_path / "data").exists()


def test_catalog_list_reads_the_kiosk_cache_when_it_has_one(tmp_path, city, capsys):
    from kiosk.cli import main as cli
    profile = _fresh_profile(tmp_path)
    s = Store.open(tmp_path / "data" / "kiosk.db")
    ensure_schema(s)
    client = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=5)
    CatalogCache(s, client, ManualClock()).refresh()
    client.close()
    s.close()
    assert cli(["catalog", "list", "--config", str(profile)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "(city)" in first and city.catalog_doc()[0] in first
