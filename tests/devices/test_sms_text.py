"""One SMS splitter: the modem and the e-receipt cut texts the same way."""
import pytest

from hardware.modem import codec
from hardware.sms_text import SMS_LIMIT, split_sms, ucs2_len
from kiosk import receipts


def test_modem_and_receipts_use_the_one_splitter():
    assert codec.split_sms is receipts.split_sms is split_sms
    assert codec.ucs2_len is receipts.ucs2_len is ucs2_len
    assert codec.SMS_LIMIT == receipts.SMS_LIMIT == SMS_LIMIT == 70


def test_parts_are_numbered_and_keep_every_word():
    text = ("Kết quả hồ sơ HS260302-7KQ4M đã có tại máy, ô A05. Vui lòng nhận trước "
            "16:00 ngày 09/03/2026. Hỗ trợ 1022.")
    parts = split_sms(text)
    assert len(parts) == 2 and all(ucs2_len(p) <= SMS_LIMIT for p in parts)
    assert [p.rsplit(" ", 1)[1] for p in parts] == ["(1/2)", "(2/2)"]
    assert " ".join(p.rsplit(" (", 1)[0] for p in parts) == text


def test_a_word_longer_than_a_part_is_cut_not_lost():
    word = "x" * 150
    parts = split_sms(word)
    assert all(ucs2_len(p) <= SMS_LIMIT for p in parts)
    assert "".join(p.rsplit(" (", 1)[0] for p in parts) == word


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_text_is_refused(text):
    with pytest.raises(ValueError, match="needs some text"):
        split_sms(text)
