"""Fixtures of the digitisation tests: the city simulator as CA on a free loopback
port, a kiosk enrolled with it, and one signed e-copy made once for the whole session
(OCR is the slow part: the pages are few and small where accuracy is not the point)."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bench.vi_pages import make_page
from kiosk.digitise.pipeline import Digitiser, Settings
from kiosk.digitise.pki import Credentials
from sim.city import CitySim
from sync.client import CityClient

TOKEN = "tok-digitise-0123456789"
KIOSK = "SIM-BINHTAY-01"
META = {"dossier_code": "HS-2026-000123", "procedure": "1.001193",
        "procedure_name": "Đăng ký khai sinh", "kiosk": KIOSK,
        "time": "2026-12-02T15:30:00+07:00"}


def credentials(folder: Path, renew_days: int = 30) -> Credentials:
    return Credentials(folder / "secrets" / "signing.key", folder / "pki" / "kiosk.pem",
                       folder / "pki" / "city-ca.pem", KIOSK, renew_days=renew_days)


@pytest.fixture
def city(tmp_path):
    sim = CitySim(tmp_path / "city" / "city.db", tokens={TOKEN: KIOSK}).start()
    yield sim
    sim.stop()


@pytest.fixture
def client(city):
    c = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=5)
    yield c
    c.close()


@pytest.fixture
def enrolled(tmp_path, client):
    creds = credentials(tmp_path / "kiosk")
    creds.ensure(client, datetime.now(timezone.utc))
    return creds


@pytest.fixture(scope="session")
def session_city(tmp_path_factory):
    sim = CitySim(tmp_path_factory.mktemp("city") / "city.db", tokens={TOKEN: KIOSK}).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def ecopy(tmp_path_factory, session_city):
    """(signed PDF bytes, the words on its pages, the CA certificate path, folder)."""
    folder = tmp_path_factory.mktemp("ecopy")
    client = CityClient(session_city.api_url, TOKEN, KIOSK, timeout_s=5)
    digitiser = Digitiser(Settings(location="Phường Bình Tây"), credentials(folder / "kiosk"),
                          client=client, isolated=False)
    pages, truth = [], []
    for seed, font in ((21, "sans"), (22, "serif")):
        page, text = make_page(seed, font=font, a4=False, lines=7)
        pages.append(page)
        truth.append(text)
    reports = digitiser.check(pages)
    jpegs = digitiser.clean_jpegs(pages, reports)
    work = folder / "work"
    work.mkdir()
    signed = digitiser.make(jpegs, META, work)
    client.close()
    return signed.read_bytes(), truth, session_city.ca.cert_path, folder


def private(path: Path) -> bool:
    return (os.stat(path).st_mode & 0o077) == 0
