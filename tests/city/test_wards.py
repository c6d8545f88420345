"""Ward-centre profiles against the 2025 ward list, and old card addresses in 2025 terms."""
from pathlib import Path

import pytest

from kiosk.cli import main as cli
from kiosk.config import ConfigError, load_config
from kiosk.wards import check_ward, codes_for, read_address, ward

ROOT = Path(__file__).resolve().parents[2]


def test_the_profiles_are_ward_centres(capsys):
    for name in ("binh-tay.toml", "sim.toml"):
        cfg = load_config(ROOT / "config" / name)
        k = cfg.kiosk
        assert (k.ward, k.ward_code) == ("Phường Bình Tây", "27367")
        assert k.office == "Trung tâm Phục vụ hành chính công phường Bình Tây"
        assert k.office_address.endswith("Phường Bình Tây, Thành phố Hồ Chí Minh")
        assert "Q6" not in k.id and "Quận" not in k.office + k.office_address
        assert cli(["check-config", str(ROOT / "config" / name)]) == 0
        assert "ward       Phường Bình Tây (27367, vietnam-provinces" in capsys.readouterr().out
    assert len(load_config(ROOT / "config/binh-tay.toml").trays()) == 90


def test_the_2025_list_comes_from_the_data_package():
    assert ward("27367") == ("Phường Bình Tây", "Thành phố Hồ Chí Minh")
    assert ward("26740")[0] == "Phường Sài Gòn"
    assert codes_for("Phường Bình Tây") == ["27367"]
    from vietnam_provinces import Ward
    hcmc = [w for w in Ward.iter_all() if int(w.province_code) == 79]
    assert len(hcmc) == 168             # wards, communes and the special zone of HCMC
    assert check_ward("Phường Bình Tây", "27367") == []
    assert check_ward("phường bình tây", "27367") == []      # case is not a mistake


@pytest.mark.parametrize("ward_name, code, says", [
    ("Phường Bình Tây", "99999", "not in the 2025 ward list"),
    ("Phường 2", "27367", "code 27367 is 'Phường Bình Tây'"),
    ("Phường Bình Tây", "2736", "5-digit code"),
    ("", "27367", "found ''"),
])
def test_check_config_refuses_a_ward_not_in_the_list(tmp_path, capsys, ward_name, code, says):
    text = (ROOT / "config/sim.toml").read_text("utf-8")
    text = text.replace('ward = "Phường Bình Tây"', f'ward = "{ward_name}"').replace(
        'ward_code = "27367"', f'ward_code = "{code}"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert any(says in p for p in info.value.problems)
    assert cli(["check-config", str(bad)]) == 2
    assert says in capsys.readouterr().err


def test_old_card_address_gets_its_2025_ward():
    r = read_address("107 Cao Văn Lầu, Phường 2, Quận 6, TP.HCM")
    assert r.as_read == "107 Cao Văn Lầu, Phường 2, Quận 6, TP.HCM"
    assert (r.ward_2025, r.ward_code_2025) == ("Phường Bình Tây", "27367")
    assert r.line("vi") == "Nay thuộc Phường Bình Tây" and "现属" in r.line("zh")
    r = read_address("9 Nguyễn Huệ, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh")
    assert r.ward_2025 == "Phường Sài Gòn" and ward(r.ward_code_2025)[0] == "Phường Sài Gòn"


def test_converter_never_guesses_or_goes_online(monkeypatch):
    import vietnamadminunits.converter.converter_2025 as conv

    def no_network(*a, **k):
        raise AssertionError("the converter tried to geocode over the internet")
    monkeypatch.setattr(conv, "get_geo_location", no_network)
    # a commune split between two 2025 units: both named, none chosen
    r = read_address("Ấp 1, Xã An Phú Tây, Huyện Bình Chánh, TP.HCM")
    assert r.ward_2025 is None and len(r.candidates) == 2
    assert "một trong" in r.line("vi")
    # a ward that never existed is not matched to a near one ("Phường 99" ≠ "Phường 9")
    assert read_address("Phường 99, Quận 6, TP.HCM").ward_2025 is None
    # an address already in the 2025 form, or too short to say, stays as read
    for text in ("12 Nguyễn Trãi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
                 "45 Lê Lợi, Quận 1", "Q6", ""):
        r = read_address(text)
        assert r.as_read == text and r.ward_2025 is None and not r.candidates


def test_card_address_goes_to_the_city_not_to_the_journal(tmp_path):
    import json
    from sync.scrub import scrub
    from ui.demo_world import DemoWorld
    w = DemoWorld(tmp_path)
    try:
        dep = w.citizen.start_deposit("1.001193")
        w.citizen.identify(dep, "079123456789|123456789|Trần Thị Mai|01011960|Nữ|"
                                "107 Cao Văn Lầu, Phường 2, Quận 6, TP.HCM|01012021")
        assert dep.address.ward_2025 == "Phường Bình Tây"
        w.citizen.deposit_phone(dep, "0912345678")
        w.citizen.deposit_code(dep, w.sms.last_code())
        w.citizen.reserve_tray(dep)
        (row,) = w.store.query("SELECT payload FROM outbox WHERE kind = 'dossier.created'")
        payload = json.loads(row["payload"])
        assert payload["address"] == "107 Cao Văn Lầu, Phường 2, Quận 6, TP.HCM"
        assert payload["address_ward_2025"] == "Phường Bình Tây"
        assert payload["address_ward_code_2025"] == "27367"
        journal = json.dumps(w.store.query("SELECT data FROM journal"), ensure_ascii=False)
        assert "Cao Văn Lầu" not in journal
        assert scrub(payload)["address"] == "***"      # once the city has it
    finally:
        w.close()
