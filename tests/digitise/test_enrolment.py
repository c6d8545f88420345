"""Certificate enrolment at the city (a CSR at first start), renewal before expiry, and
signing offline afterwards."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.digitise.pki import NotEnrolled
from kiosk.digitise.signing import check_signature, sign_pdf
from sync.client import CityClient
from tests.digitise.conftest import KIOSK, TOKEN, credentials, private


def test_first_start_makes_a_private_key_and_gets_a_certificate(tmp_path, city, client):
    creds = credentials(tmp_path)
    assert creds.state(datetime.now(timezone.utc)) == "missing"
    assert creds.ensure(client, datetime.now(timezone.utc)) == "valid"
    assert private(creds.key_file)                         # 0600, outside the database
    cert = creds.certificate()
    assert cert.subject.rfc4514_string().startswith(f"OU=dossier kiosk,CN={KIOSK}") or \
        KIOSK in cert.subject.rfc4514_string()
    assert cert.issuer == city.ca.cert.subject
    issued = city.db.query("SELECT kiosk_id FROM certificates")
    assert issued == [{"kiosk_id": KIOSK}]                  # the city keeps what it issued


def test_a_key_readable_by_others_is_refused(tmp_path, client):
    creds = credentials(tmp_path)
    creds.ensure(client, datetime.now(timezone.utc))
    creds.key_file.chmod(0o644)
    with pytest.raises(Exception, match="chmod 600"):
        creds.key()


def test_renewal_before_expiry_keeps_the_key(tmp_path, city, client):
    creds = credentials(tmp_path, renew_days=30)
    now = datetime.now(timezone.utc)
    creds.ensure(client, now)
    first = creds.certificate()
    key_before = creds.key_file.read_bytes()
    later = now + timedelta(days=340)                      # 25 days left: due
    assert creds.state(later) == "renew"
    city.advance(340 * 86400)
    assert creds.ensure(client, later) == "valid"
    second = creds.certificate()
    assert second.serial_number != first.serial_number
    assert second.not_valid_after_utc > first.not_valid_after_utc
    assert creds.key_file.read_bytes() == key_before
    assert len(city.db.query("SELECT serial FROM certificates")) == 2


def test_signing_works_offline_after_enrolment(tmp_path, city, client, ecopy):
    creds = credentials(tmp_path)
    creds.ensure(client, datetime.now(timezone.utc))
    ca = city.ca.cert_path
    city.stop()
    unsigned = (ecopy[3] / "work" / "ocr.pdf").read_bytes()
    assert creds.ensure(client, datetime.now(timezone.utc)) == "valid"   # no network
    signed = sign_pdf(unsigned, creds.key_file, creds.cert_file, creds.chain_file)
    assert check_signature(signed, [ca])["ok"]


def test_a_due_renewal_waits_while_the_city_is_down(tmp_path, city, client):
    creds = credentials(tmp_path)
    now = datetime.now(timezone.utc)
    creds.ensure(client, now)
    city.stop()
    assert creds.ensure(client, now + timedelta(days=340)) == "renew"   # still signs


def test_no_certificate_and_no_city_says_so(tmp_path, city):
    city.stop()
    creds = credentials(tmp_path)
    down = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=1)
    with pytest.raises(NotEnrolled, match="the city could not issue one"):
        creds.ensure(down, datetime.now(timezone.utc))
    down.close()


def test_the_city_refuses_a_csr_that_is_not_one(client):
    from sync.errors import CityRejected
    with pytest.raises(CityRejected, match="PEM certificate request"):
        client.request("POST", "/certificates", ok=(201,), json={"csr": "hello"})
