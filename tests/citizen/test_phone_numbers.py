"""Phone numbers as citizens type them, checked against libphonenumber (``phonenumbers``).

The kiosk keeps only an HMAC of the normalised number, so two spellings of one number
must normalise alike, or a look-up misses. Where ours and libphonenumber disagree on
purpose, the case is listed here and in docs/phone-numbers.md.
"""
from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from kiosk.pii import InvalidPhone, Pii, normalize_phone

KEY = b"test-hmac-key-0123456789abcdef!!"


def library_mobile(text: str) -> str | None:
    """libphonenumber's view: the national form of a valid VN mobile number, else None."""
    try:
        num = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num) or num.country_code != 84:
        return None
    if phonenumbers.number_type(num) not in (PhoneNumberType.MOBILE,
                                             PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL).replace(" ", "")


def ours(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except InvalidPhone:
        return None


@pytest.mark.parametrize("typed", [
    "091２３４５６７８",            # fullwidth digits (a CJK input method)
    "０９１２３４５６７８",
    "๐๙๑๒๓๔๕๖๗๘",                  # Thai digits
    "٠٩١٢٣٤٥٦٧٨",                  # Arabic-Indic digits
    "०९१२३४५६७८",                  # Devanagari digits
    "+84 91２ 345 678",
])
def test_unicode_decimal_digits_fold_to_ascii(typed):
    assert normalize_phone(typed) == "0912345678"
    assert normalize_phone(typed).isascii()
    assert library_mobile(typed) == "0912345678"      # libphonenumber reads them alike
    pii = Pii(KEY)
    assert pii.phone_hmac(typed) == pii.phone_hmac("0912345678")   # the look-up finds it


@pytest.mark.parametrize("typed, sign", [
    ("091234567²", "SUPERSCRIPT TWO"),
    ("①912345678", "CIRCLED DIGIT ONE"),
    ("09123456७½", "VULGAR FRACTION ONE HALF"),
    ("0912345６７⁸", "SUPERSCRIPT EIGHT"),
])
def test_digit_like_signs_are_refused_with_a_clear_message(typed, sign):
    with pytest.raises(InvalidPhone) as err:
        normalize_phone(typed)
    assert sign in str(err.value)
    assert "0-9" in str(err.value)


# Numbers both sides must agree on.
AGREED = ["0912345678", "0971234567", "0321234567", "0381234567", "0701234567",
          "0761234567", "0791234567", "0811234567", "0851234567", "0861234567",
          "0881234567", "0901234567", "0931234567", "0561234567", "0581234567",
          "0591234567", "0991234567", "0871234567",
          "+84912345678", "84912345678", "+84 91 234 5678", "(091) 234-5678",
          "0912.345.678", "091234567", "09123456789", "0281234567", "02412345678",
          "01212345678", "", "abc", "0912x45678"]
# Deliberate differences (docs/phone-numbers.md): ours → libphonenumber.
DIFFERENT = {
    # retired or never consumer-mobile prefixes libphonenumber still lists as mobile:
    # the 2018 renumbering moved 012x/016x to 03x/07x/08x; 095 (S-Fone) closed in 2012.
    "0121234567": (None, "0121234567"),
    "0160000000": (None, "0160000000"),
    "0301234567": (None, "0301234567"),
    "0951234567": (None, "0951234567"),
    # a whole prefix of an operator is taken; libphonenumber knows sub-range allocations
    "0521234567": ("0521234567", None),
    "0891234567": ("0891234567", None),
    # stricter formats: no trunk 0 after the country code, no international 00 prefix
    "+840912345678": (None, "0912345678"),
    "00840912345678": (None, "0912345678"),
    # a sign that only looks like a digit is refused, not dropped
    "①912345678": (None, "0912345678"),
}


@pytest.mark.parametrize("typed", AGREED)
def test_agrees_with_libphonenumber(typed):
    assert ours(typed) == library_mobile(typed)


@pytest.mark.parametrize("typed", sorted(DIFFERENT))
def test_deliberate_differences_from_libphonenumber(typed):
    assert (ours(typed), library_mobile(typed)) == DIFFERENT[typed]


def test_every_prefix_is_accepted_by_libphonenumber_or_documented():
    """Over all 0xy prefixes: where we accept a prefix libphonenumber knows it too, except
    the documented sub-range cases; what it accepts and we refuse is a retired prefix."""
    only_ours, only_lib = set(), set()
    for prefix in range(100):
        for tail in ("1234567", "7654321", "0000000", "9999999"):
            number = f"0{prefix:02d}{tail}"
            a, b = ours(number), library_mobile(number)
            if a and not b:
                only_ours.add(number[:3])
            elif b and not a:
                only_lib.add(number[:3])
    assert only_ours <= {"052", "055", "089"}
    assert only_lib <= {"012", "014", "016", "030", "031", "051", "095"}
