"""The 2025 city end to end on the real services, the simulated devices and the city
simulator: a deposit identified with VNeID (the simulator plays the app), whose event
reaches the city with the appointment date and whose receipt prints it."""
import json
import logging

import requests

from tests.ui.test_e2e_deposit import put_dossier_in

ID_NUMBER, NAME = "079190054321", "Lê Thị Hoa"        # a made-up citizen


def test_vneid_deposit_reaches_the_city_with_its_appointment(kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    k = kiosk
    k.click(k.screen().choices["deposit"])
    k.click(k.wait_screen("deposit-catalog").proc_btns["1.001193"])
    k.click(k.wait_screen("deposit-procedure").paper_btn)
    k.click(k.wait_screen("deposit-identify").vneid_btn)
    screen = k.wait_screen("deposit-vneid")
    k.qtbot.waitUntil(lambda: screen.request is not None, timeout=10000)
    req = screen.request
    # the citizen scans the QR shown on the screen in the app and agrees
    r = requests.post(f"{k.city.url}/_sim/vneid/{req.request_id}/scan",
                      json={"qr": req.qr, "id_number": ID_NUMBER, "name": NAME}, timeout=5)
    assert r.status_code == 200
    privacy = k.wait_screen("deposit-privacy")
    assert NAME in privacy.who.text()
    k.click(privacy.accept_btn)
    k.verify_phone("deposit")
    k.click(k.wait_screen("deposit-scan").skip_btn)
    dep = put_dossier_in(k)
    done = k.wait_screen("deposit-done")
    k.qtbot.waitUntil(lambda: done.outcome is not None, timeout=15000)
    due = k.services.citizen.appointment(dep.code)
    assert due is not None and done.due.text().endswith(f"{due:%d/%m/%Y}")
    k.services.sync.kick()

    def created_at_city():
        for e in requests.get(f"{k.city.url}/_sim/events", timeout=5).json()["events"]:
            if e["kind"] == "dossier.created" and e["dossier_code"] == dep.code:
                return json.loads(e["payload"]) if isinstance(e["payload"], str) \
                    else e["payload"]
        return None
    k.qtbot.waitUntil(lambda: created_at_city() is not None, timeout=20000)
    payload = created_at_city()
    assert payload["appointment_date"] == due.isoformat()
    assert payload["id_number"] == ID_NUMBER and payload["procedure"] == "1.001193"
    d = k.ledger.dossier(dep.code)
    assert d["id_masked"].endswith("4321") and ID_NUMBER not in str(d)
    assert ID_NUMBER not in caplog.text
