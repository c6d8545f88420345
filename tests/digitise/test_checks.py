"""Every page check on made images: each fault is found, and a good page passes."""
from __future__ import annotations

import pytest
from PIL import Image, ImageFilter, ImageOps

from bench.vi_pages import make_page
from kiosk.digitise.checks import check_page
from kiosk.digitise.cleanup import clean_page


@pytest.fixture(scope="module")
def page():
    img, _ = make_page(2, a4=False, lines=8)
    return img


def _dpi(img):
    img.info["dpi"] = (200, 200)
    return img


def test_a_good_page_passes_in_both_fonts(page):
    for img in (page, make_page(3, font="serif", a4=False, lines=8)[0]):
        report = check_page(img)
        assert report.ok, report.line()
        assert abs(report.skew_deg - 0.8) <= 0.3       # the made page is turned 0.8°
        assert report.line().startswith("page 1: ok")


@pytest.mark.parametrize("name, make, key", [
    ("blank", lambda p: Image.effect_noise(p.size, 6).point(lambda v: v // 10 + 232), "blank"),
    ("dark", lambda p: p.point(lambda v: int(v * 0.4)), "too_dark"),
    ("light", lambda p: p.point(lambda v: 255 - int((255 - v) * 0.15)), "too_light"),
    ("cut", lambda p: p.crop((int(p.width * 0.25), 0, p.width, p.height)), "cut_off"),
    ("skewed", lambda p: p.rotate(6, resample=Image.BICUBIC, fillcolor=244), "skewed"),
    ("blurred", lambda p: p.filter(ImageFilter.GaussianBlur(2)), "blurred"),
    ("moved", lambda p: p.filter(ImageFilter.BoxBlur(3)), "blurred"),
])
def test_each_fault_is_found(page, name, make, key):
    report = check_page(_dpi(make(page)), 2, osd=False)
    assert key in report.keys, report.line()
    assert not report.ok
    assert report.line().startswith("page 2: ")


def test_upside_down_is_found_by_tesseract_osd(page):
    report = check_page(_dpi(page.rotate(180)), 3)
    assert report.keys == ["upside_down"], report.line()
    assert report.rotate == 180


def test_the_skew_limit_comes_from_the_profile(page):
    turned = _dpi(page.rotate(1.5, resample=Image.BICUBIC, fillcolor=244))
    assert check_page(turned, osd=False).ok
    assert check_page(turned, max_skew_deg=1.0, osd=False).keys == ["skewed"]


def test_the_scanner_border_is_not_taken_for_a_cut_page(page):
    w, h = page.size
    framed = _dpi(ImageOps.expand(page.crop((30, 30, w - 30, h - 30)), 30, fill=40))
    report = check_page(framed, osd=False)
    assert report.ok, report.line()
    cleaned = clean_page(framed, report)
    assert cleaned.size[0] < framed.size[0] and cleaned.size[1] < framed.size[1]
    assert min(cleaned.crop((0, 0, 4, cleaned.height)).tobytes()) > 150   # border gone


def test_clean_up_turns_the_page_upright_and_straight(page):
    turned = _dpi(page.rotate(180).rotate(5, resample=Image.BICUBIC, fillcolor=244))
    report = check_page(turned)
    assert set(report.keys) == {"upside_down", "skewed"}
    cleaned = clean_page(turned, report)
    again = check_page(_dpi(cleaned))
    assert again.ok, again.line()
    assert abs(again.skew_deg) <= 0.3
