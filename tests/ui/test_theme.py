"""Contrast computed from the palettes, and millimetres to pixels."""
import pytest

from ui import theme


def test_wcag_reference_values():
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WCAG's own example: #777777 on white is just under 4.5:1
    assert theme.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("palette", sorted(theme.PALETTES))
@pytest.mark.parametrize("fg,bg", theme.TEXT_PAIRS)
def test_every_text_pair_has_enough_contrast(palette, fg, bg):
    colours = theme.PALETTES[palette]
    ratio = theme.contrast_ratio(colours[fg], colours[bg])
    assert ratio >= theme.REQUIRED_RATIO[palette], (palette, fg, bg, round(ratio, 2))


def test_high_contrast_needs_seven_to_one():
    assert theme.REQUIRED_RATIO == {"default": 4.5, "high_contrast": 7.0}


def test_fifteen_millimetres_at_various_dpi():
    assert theme.mm_to_px(15, 96) == 57
    assert theme.mm_to_px(15, 160) == 95
    assert theme.mm_to_px(25.4, 100) == 100


def test_large_text_is_larger():
    assert theme.font_px("body", True) > theme.font_px("body", False) >= 24
