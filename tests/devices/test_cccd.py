from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.cccd import (Cccd, NotAnIdCard, is_dossier_code, normalize_dossier_code,
                        parse_cccd)

GOOD = ("079095001234|025123456|Nguyễn Văn An|15041995|Nam|"
        "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM|01072021")
TODAY = date(2026, 3, 2)


def test_parses_the_protocol_example():
    card = parse_cccd(GOOD, today=TODAY)
    assert card == Cccd("079095001234", "025123456", "Nguyễn Văn An", date(1995, 4, 15),
                        "Nam", "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM", date(2021, 7, 1))
    assert card.as_json() == {
        "id": "079095001234", "old_id": "025123456", "name": "Nguyễn Văn An",
        "dob": "1995-04-15", "gender": "Nam",
        "address": "12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM", "issued": "2021-07-01"}


def test_card_without_old_id_and_with_extra_fields():
    text = ("079301009876||Trần Thị Mai|02011990|Nữ|45 Lê Lợi, Phường Bến Nghé, Quận 1, "
            "TP.HCM|20032022|extra|more")
    card = parse_cccd(text, today=TODAY)
    assert card.old_id is None
    assert card.gender == "Nữ"
    assert card.name == "Trần Thị Mai"
    assert card.issued == date(2022, 3, 20)


def test_reader_line_endings_and_decomposed_unicode_are_accepted():
    import unicodedata
    text = unicodedata.normalize("NFD", GOOD) + "\r\n"
    card = parse_cccd(text, today=TODAY)
    assert card.name == "Nguyễn Văn An"           # back in composed form
    assert card.address.startswith("12 Nguyễn Trãi")


def test_repr_never_shows_the_id_number_or_name():
    card = parse_cccd(GOOD, today=TODAY)
    assert "079095001234" not in repr(card)
    assert "Nguyễn" not in str(card)
    assert repr(card).endswith("gender=Nam)")


@pytest.mark.parametrize("text, reason", [
    ("", "1 field"),
    ("HS260302-7KQ4M", "1 field"),
    ("079095001234|025123456|Nguyễn Văn An|15041995|Nam|12 Nguyễn Trãi", "6 field"),
    (GOOD.replace("079095001234", "07909500123"), "ID number"),
    (GOOD.replace("079095001234", "07909500123A"), "ID number"),
    (GOOD.replace("079095001234", "0790950012345"), "ID number"),
    (GOOD.replace("025123456", "02512345"), "old ID"),
    (GOOD.replace("Nguyễn Văn An", ""), "name"),
    (GOOD.replace("Nguyễn Văn An", "Nguyễn 2 An"), "name"),
    (GOOD.replace("Nguyễn Văn An", "Nguyễn\x00An"), "name"),
    (GOOD.replace("15041995", "31021995"), "date of birth"),
    (GOOD.replace("15041995", "1504199"), "date of birth"),
    (GOOD.replace("15041995", "15-04-95"), "date of birth"),
    (GOOD.replace("15041995", "15042030"), "future"),
    (GOOD.replace("15041995", "15041850"), "1900"),
    (GOOD.replace("|Nam|", "|Male|"), "gender"),
    (GOOD.replace("|Nam|", "||"), "gender"),
    (GOOD.replace("12 Nguyễn Trãi, Phường 2, Quận 5, TP.HCM", " "), "address"),
    (GOOD.replace("01072021", "00072021"), "issue date"),
    (GOOD.replace("01072021", "01071990"), "before the birth"),
    (GOOD.replace("01072021", "01072027"), "future"),
    ("|" * 6, "ID number"),
    ("x" * 5000, "characters long"),
])
def test_malformed_input_is_not_an_id_card(text, reason):
    with pytest.raises(NotAnIdCard) as err:
        parse_cccd(text, today=TODAY)
    assert reason in err.value.reason
    assert "manual entry" in str(err.value)
    assert "079095001234" not in str(err.value)     # the message never echoes the data


def test_non_text_is_not_an_id_card():
    with pytest.raises(NotAnIdCard):
        parse_cccd(b"079095001234|...")          # type: ignore[arg-type]
    with pytest.raises(NotAnIdCard):
        parse_cccd(None)                         # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_fuzz_any_text_parses_or_raises_only_not_an_id_card(text):
    try:
        card = parse_cccd(text, today=TODAY)
    except NotAnIdCard:
        return
    assert len(card.id) == 12 and card.id.isdigit()


_field = st.one_of(st.text(max_size=20), st.from_regex(r"[0-9]{8,13}", fullmatch=True),
                   st.sampled_from(["Nam", "Nữ", "nu", "", "29022000", "29022001",
                                    "31121999", "01012030"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_field, min_size=5, max_size=9))
def test_fuzz_card_shaped_text_parses_or_raises_only_not_an_id_card(fields):
    text = "|".join(fields)
    try:
        card = parse_cccd(text, today=TODAY)
    except NotAnIdCard:
        return
    assert card.dob <= card.issued <= TODAY
    assert card.gender in ("Nam", "Nữ")


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
       st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_every_real_birth_date_round_trips(dob, id_no):
    text = f"{id_no}||Lê Văn Bình|{dob:%d%m%Y}|Nam|1 Hai Bà Trưng, Quận 1|01012021"
    card = parse_cccd(text, today=TODAY)
    assert card.dob == dob
    assert card.id == id_no


def test_dossier_codes():
    assert is_dossier_code("HS260302-7KQ4M")
    assert is_dossier_code(" hs260302-7kq4m\r")
    assert not is_dossier_code("HS260302-7KQ4O")      # no O in the alphabet
    assert not is_dossier_code("HS26030-7KQ4M")
    assert not is_dossier_code(GOOD)
    assert not is_dossier_code(None)                  # type: ignore[arg-type]
    assert normalize_dossier_code(" hs260302-7kq4m ") == "HS260302-7KQ4M"
    with pytest.raises(ValueError, match="not a dossier code"):
        normalize_dossier_code("hello")
