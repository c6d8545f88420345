"""SMS through the modem simulator: UCS2 in, identical Vietnamese out; every fault."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from hardware.modem import AtModem, ModemNotAnswering, SmsRejected, split_sms
from hardware.modem.codec import (cms_error, from_ucs2_hex, parse_csq, to_ucs2_hex,
                                  ucs2_len)
from hardware.ports import DeviceStatus, SmsModem

PHONE = "0912345678"
VIETNAMESE = "Bà Trần Thị Mai: hồ sơ HS260302-7KQ4M đã có kết quả, ô A05. Hỏi 1022"


def _inbox(modem_sim):
    return [json.loads(line) for line in modem_sim.inbox.read_text("utf-8").splitlines()]


def test_vietnamese_text_comes_out_identical(modem, modem_sim):
    assert isinstance(modem, SmsModem)
    assert ucs2_len(VIETNAMESE) <= 70
    ref = modem.send(PHONE, VIETNAMESE)
    [record] = _inbox(modem_sim)
    assert record["to"] == PHONE
    assert record["text"] == VIETNAMESE
    assert set(record) == {"time", "to", "text"}
    assert ref == "1"
    assert 'AT+CSCS="UCS2"' in modem_sim.commands
    assert "AT+CSMP=17,167,0,8" in modem_sim.commands


def test_long_text_goes_in_numbered_parts(modem, modem_sim):
    text = VIETNAMESE + " Cảm ơn bà đã dùng dịch vụ công trực tuyến của Quận 6."
    refs = modem.send(PHONE, text)
    records = _inbox(modem_sim)
    assert len(records) == 2 and refs == "1,2"
    assert all(ucs2_len(r["text"]) <= 70 for r in records)
    assert " ".join(r["text"].rsplit(" (", 1)[0] for r in records) == text


def test_no_network_is_a_transient_refusal(modem, modem_sim):
    modem_sim.no_network = True
    with pytest.raises(SmsRejected) as err:
        modem.send(PHONE, "Xin chào")
    assert err.value.code == 331 and err.value.transient
    assert "no network service" in str(err.value) and "retry later" in err.value.advice
    health = modem.health()
    assert health.status is DeviceStatus.HWERROR and "signal" in health.detail
    modem_sim.no_network = False
    modem.send(PHONE, "Xin chào")
    assert [r["text"] for r in _inbox(modem_sim)] == ["Xin chào"]


@pytest.mark.parametrize("code, words, advice", [
    (330, "SMS centre address unknown", "SIM"),
    (96, "check the number", "phone number"),
    (42, "congestion", "retry later"),
    (777, "modem error 777", "retry later"),
])
def test_cms_errors_are_named(modem, modem_sim, code, words, advice):
    modem_sim.cms_error = code
    with pytest.raises(SmsRejected) as err:
        modem.send(PHONE, "Xin chào")
    assert err.value.code == code
    assert words in str(err.value) and advice in err.value.advice
    assert not modem_sim.inbox.exists()


def test_silent_modem_times_out_then_recovers(modem, modem_sim):
    modem.timeout = 0.5
    modem_sim.silent = True
    with pytest.raises(ModemNotAnswering, match="did not answer"):
        modem.send(PHONE, "Lần một")
    assert modem.health().status is DeviceStatus.OFFLINE
    modem_sim.silent = False
    modem.timeout = 3.0
    modem.send(PHONE, "Lần hai")
    assert [r["text"] for r in _inbox(modem_sim)] == ["Lần hai"]


def test_echoing_modem_works_too(modem, modem_sim):
    modem_sim.echo = True
    modem.send(PHONE, "Có tiếng vọng")
    assert _inbox(modem_sim)[0]["text"] == "Có tiếng vọng"


def test_health_reports_signal(modem):
    health = modem.health()
    assert health.status is DeviceStatus.ONLINE
    assert health.extra["dbm"] == -73


def test_missing_port_is_offline_with_advice(tmp_path):
    with AtModem(str(tmp_path / "nothing"), timeout=0.3) as m:
        with pytest.raises(ModemNotAnswering) as err:
            m.send(PHONE, "x")
        assert "USB cable" in err.value.advice
        assert m.health().status is DeviceStatus.OFFLINE


def test_log_masks_the_number(modem, caplog):
    import logging
    with caplog.at_level(logging.INFO, logger="hardware.modem"):
        modem.send(PHONE, "Xin chào")
    assert PHONE not in caplog.text and "678" in caplog.text


def test_codec():
    assert to_ucs2_hex("Mai") == "004D00610069"
    assert from_ucs2_hex(to_ucs2_hex(VIETNAMESE)) == VIETNAMESE
    assert cms_error("+CMS ERROR: 331") == 331 and cms_error("OK") is None
    assert parse_csq("+CSQ: 17,0") == (17, 0)
    with pytest.raises(ValueError):
        split_sms("   ")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậệễ0123456789",
                        min_size=1, max_size=90), min_size=1, max_size=40))
def test_split_keeps_every_word_and_the_limit(words):
    text = " ".join(words)
    parts = split_sms(text)
    assert all(ucs2_len(p) <= 70 for p in parts)
    if len(parts) == 1:
        assert parts[0] == text
    else:
        assert "".join(p.rsplit(" (", 1)[0].replace(" ", "") for p in parts) == \
            text.replace(" ", "")


def test_a_second_user_of_the_port_is_told_who_holds_it(modem, modem_sim):
    modem.send(PHONE, "Xin chào")                  # the first driver holds the port
    with AtModem(modem_sim.path, timeout=0.3) as other:
        with pytest.raises(ModemNotAnswering) as err:
            other.send(PHONE, "x")
        assert "stop the kiosk service" in err.value.advice
