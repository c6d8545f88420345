"""The city simulator's route table: every route module is registered once, a clash is
refused at start, and control paths answer as the contract says."""
from __future__ import annotations

import pkgutil
import types

import pytest
import requests

import sim.city.routes as routes
from sim.city.routing import Route
from tests.sync.conftest import KIOSK, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Kiosk-Id": KIOSK}


def test_every_route_module_is_registered():
    present = {m.name for m in pkgutil.iter_modules(routes.__path__)}
    assert present == set(routes.MODULES), "add the module's name to routes.MODULES"
    assert list(routes.MODULES) == sorted(routes.MODULES), "keep MODULES in ABC order"


def test_two_modules_claiming_one_route_are_refused(monkeypatch):
    clash = types.ModuleType("sim.city.routes.clash")
    clash.ROUTES = [Route("GET", r"/ping", lambda req: (200, {}, {}))]
    monkeypatch.setitem(__import__("sys").modules, "sim.city.routes.clash", clash)
    monkeypatch.setattr(routes, "MODULES", (*routes.MODULES, "clash"))
    with pytest.raises(ValueError, match=r"GET /ping .* routes\.ping and routes\.clash"):
        routes.collect()


def test_control_paths_keep_their_methods(city):
    assert requests.get(city.url + "/_sim/stats", timeout=5).json()["events"] == 0
    assert requests.head(city.url + "/_sim/stats", timeout=5).status_code == 200
    miss = requests.get(city.url + "/_sim/results", timeout=5)
    assert miss.status_code == 404 and miss.json()["message"] == \
        "no control path GET /_sim/results"
    assert requests.post(city.url + "/_sim/payments/NOPE/confirm",
                         timeout=5).status_code == 404
    assert requests.get(city.url + "/_sim/uploads/" + "0" * 32, timeout=5).json() == \
        {"error": "not_found", "message": "no such upload"}
    wrong = requests.post(city.api_url + "/ping", timeout=5, headers=AUTH)
    assert wrong.status_code == 405 and wrong.json()["message"] == \
        "no POST /api/v1/ping in this API"
