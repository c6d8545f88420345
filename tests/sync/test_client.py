"""The client's error types, the token file, and build_sync from a profile."""
from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_CONFIG, parse_config
from kiosk.secrets import write_secret
from sync import build_sync
from sync.client import CityClient, parse_retry_after
from sync.errors import (CityAuthError, CityRateLimited, CityRejected, CityServerError,
                         CityUnreachable, TokenFileError)
from sync.token import read_token
from tests.sync.conftest import KIOSK, TOKEN


def test_errors_are_our_own_types(city):
    with CityClient(city.api_url, TOKEN, KIOSK) as c:
        city.set_faults(rate=1.0, kinds=["500"])
        with pytest.raises(CityServerError):
            c.ping()
        city.set_faults(rate=1.0, kinds=["429"], retry_after_s=4)
        with pytest.raises(CityRateLimited) as err:
            c.ping()
        assert err.value.retry_after_s == 4
        city.set_faults(rate=0.0)
        with pytest.raises(CityRejected) as err:
            c.sms_send(key="k", to="12", text="x")
        assert err.value.status == 422 and not err.value.retryable
        city.set_faults(rate=1.0, kinds=["delay"], delay_s=1.0)
    with CityClient(city.api_url, TOKEN, KIOSK, timeout_s=0.2) as slow:
        with pytest.raises(CityUnreachable, match="no answer within"):
            slow.ping()
    with CityClient(city.api_url, "wrong", KIOSK) as bad:
        city.set_faults(rate=0.0)
        with pytest.raises(CityAuthError, match="token"):
            bad.ping()
    with CityClient("http://127.0.0.1:9/api/v1", TOKEN, KIOSK, timeout_s=0.5) as nowhere:
        with pytest.raises(CityUnreachable, match="cannot reach"):
            nowhere.ping()


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_token_file_must_be_private(tmp_path):
    path = tmp_path / "secrets" / "city.token"
    write_secret(path, TOKEN.encode() + b"\n")
    assert read_token(path) == TOKEN
    os.chmod(path, 0o644)
    with pytest.raises(TokenFileError, match="chmod 600"):
        read_token(path)
    with pytest.raises(TokenFileError, match="does not exist"):
        read_token(tmp_path / "missing.token")


def _profile(tmp_path: Path, base_url: str):
    data = tomllib.loads(Path(DEFAULT_CONFIG).read_text("utf-8"))
    data["kiosk"]["data_dir"] = str(tmp_path / "data")
    data["kiosk"]["id"] = KIOSK
    data["city"] = {"base_url": base_url, "timeout_s": 2, "heartbeat_s": 60,
                    "batch_size": 20, "retry_base_s": 0.05, "retry_cap_s": 1}
    return parse_config(data, "test-profile", str(tmp_path))


def test_build_sync_from_the_profile(city, tmp_path, store, ledger, clock):
    cfg = _profile(tmp_path, city.api_url)
    with pytest.raises(TokenFileError):
        build_sync(cfg, ledger, store, clock)
    write_secret(cfg.path(cfg.secrets.city_token_file), TOKEN.encode())
    service = build_sync(cfg, ledger, store, clock)
    ledger.event("incident.recorded", actor="staff:NV001", subject="A05", reason="paper stuck")
    try:
        while service.run_once():
            pass
        assert service.online is True and service.outbox.depth() == 0
        assert len(service.catalog.procedures()) >= 30
        assert city.db.last_heartbeat(KIOSK)["journal_head"] == ledger.journal_head()
        assert service.uploads.folder == cfg.path("{data_dir}/uploads")
    finally:
        service.close()
        service.close()


def test_cli_outbox_and_ping(city, tmp_path, store, ledger, capsys):
    from kiosk.cli import main
    from sync.schema import ensure_schema
    ensure_schema(store)
    ledger.event("test.parked", actor="test", subject="x")
    with store.write():
        store.execute("UPDATE outbox SET dead_letter = 'refused' WHERE kind = 'test.parked'")
    assert main(["db", "outbox", "--db", store.path]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pending"] == 0 and out["dead_letters"][0]["kind"] == "test.parked"
    cfg = _profile(tmp_path, city.api_url)
    profile = tmp_path / "profile.toml"
    profile.write_text(_toml(cfg, city.api_url), "utf-8")
    token = Path(cfg.path(cfg.secrets.city_token_file))
    assert main(["city", "ping", "--config", str(profile)]) == 2
    assert "does not exist" in capsys.readouterr().err
    write_secret(token, TOKEN.encode())
    assert main(["city", "ping", "--config", str(profile)]) == 0
    assert json.loads(capsys.readouterr().out)["kiosk_id"] == KIOSK


def _toml(cfg, url) -> str:
    text = Path(DEFAULT_CONFIG).read_text("utf-8")
    text = text.replace('id = "SIM-BINHTAY-01"', f'id = "{KIOSK}"')
    text = text.replace('data_dir = "../var/sim"', f'data_dir = "{cfg.data_dir}"')
    return text.replace('base_url = "http://127.0.0.1:8765/api/v1"', f'base_url = "{url}"')
