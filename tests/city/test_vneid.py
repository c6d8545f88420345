"""VNeID identification through the city's contract, with the simulator playing the
app: the happy path and every fault a citizen may meet."""
import logging

import pytest
import requests

from kiosk.vneid import VneidIdentifier, VneidProblem
from sim.city import CitySim
from sync.client import CityClient
from sync.vneid import CityVneid
from ui.demo_world import DemoWorld

TOKEN, KIOSK = "tok-test-0123456789", "TEST-01"
ID_NUMBER, NAME = "079190012345", "Nguyễn Văn An"      # a made-up citizen


@pytest.fixture
def city(tmp_path):
    sim = CitySim(tmp_path / "city.db", tokens={TOKEN: KIOSK}).start()
    yield sim
    sim.stop()


@pytest.fixture
def vneid(city):
    client = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=2)
    yield VneidIdentifier(CityVneid(client))
    client.close()


def app_scan(city, request, **citizen):
    return requests.post(f"{city.url}/_sim/vneid/{request.request_id}/scan",
                         json={"qr": request.qr, "id_number": ID_NUMBER, "name": NAME,
                               **citizen}, timeout=5)


def test_confirmed_identity_fills_the_deposit_like_a_card(city, vneid, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    req = vneid.begin()
    assert req.qr.startswith("VNEID:KIOSK-ID:1:") and req.expires_at
    assert vneid.check(req) is None                     # the citizen has not scanned yet
    assert app_scan(city, req).status_code == 200
    answer = vneid.check(req)
    assert (answer.name, answer.id_number) == (NAME, ID_NUMBER)
    assert ID_NUMBER not in repr(answer) and ID_NUMBER not in caplog.text
    w = DemoWorld(tmp_path / "w")
    try:
        dep = w.citizen.start_deposit("1.001193")
        vneid.apply(dep, answer)
        w.citizen.deposit_phone(dep, "0912345678")
        w.citizen.deposit_code(dep, w.sms.last_code())
        w.citizen.reserve_tray(dep)
        d = w.ledger.dossier(dep.code)
        assert d["id_hmac"] == w.pii.id_hmac(ID_NUMBER) and d["id_masked"].endswith("2345")
    finally:
        w.close()
    # the request is answered once
    again = app_scan(city, req)
    assert again.status_code == 409 and again.json()["error"] == "answered"


def test_the_city_is_down(city, vneid):
    city.set_faults(down=True)
    with pytest.raises(VneidProblem) as e:
        vneid.begin()
    assert e.value.reason == "vneid.unavailable"


def test_the_link_drops_while_waiting(city, vneid):
    req = vneid.begin()
    city.set_faults(rate=1.0, kinds=["500"])
    with pytest.raises(VneidProblem) as e:
        vneid.check(req)
    assert e.value.reason == "vneid.unavailable"
    city.set_faults(rate=0.0)
    assert vneid.check(req) is None                     # the same QR still works after


def test_the_qr_expires(city, vneid):
    req = vneid.begin()
    city.advance(121)
    with pytest.raises(VneidProblem) as e:
        vneid.check(req)
    assert e.value.reason == "vneid.expired"
    assert app_scan(city, req).status_code == 409        # too late in the app as well


def test_the_citizen_refuses_in_the_app(city, vneid):
    req = vneid.begin()
    requests.post(f"{city.url}/_sim/vneid/{req.request_id}/refuse", timeout=5)
    with pytest.raises(VneidProblem) as e:
        vneid.check(req)
    assert e.value.reason == "vneid.refused"


def test_a_qr_of_another_request_is_refused_by_the_city(city, vneid):
    first, second = vneid.begin(), vneid.begin()
    wrong = requests.post(f"{city.url}/_sim/vneid/{second.request_id}/scan",
                          json={"qr": first.qr, "id_number": ID_NUMBER, "name": NAME},
                          timeout=5)
    assert wrong.status_code == 400 and wrong.json()["error"] == "wrong_qr"
    assert vneid.check(second) is None


def test_another_kiosk_cannot_read_the_answer(city, vneid):
    req = vneid.begin()
    app_scan(city, req)
    city.tokens["tok-other-0123456789"] = "OTHER-01"
    other = CityClient(city.api_url, "tok-other-0123456789", "OTHER-01", timeout_s=2)
    with pytest.raises(VneidProblem) as e:
        VneidIdentifier(CityVneid(other)).check(req)
    assert e.value.reason == "vneid.unavailable"           # 404: not its request
    other.close()


def test_an_unusable_answer_is_not_taken():
    class Odd:
        def start(self, *, key, purpose):
            from kiosk.vneid import VneidRequest
            return VneidRequest("r1", "QR", "")

        def poll(self, request_id):
            from kiosk.vneid import VneidAnswer
            return VneidAnswer("confirmed", "Nguyễn Văn An", "12AB")

    ident = VneidIdentifier(Odd())
    with pytest.raises(VneidProblem) as e:
        ident.check(ident.begin())
    assert e.value.reason == "vneid.invalid"
    with pytest.raises(VneidProblem) as e:
        VneidIdentifier(None).begin()
    assert e.value.reason == "vneid.unavailable"
