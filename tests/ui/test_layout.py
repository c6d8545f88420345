"""Every screen, in each language, at large-text size: no text cut off, nothing outside
the window, every touch target at least 15 mm at the configured DPI."""
import pytest
from PyQt5.QtCore import QPoint, QRect
from PyQt5.QtWidgets import QAbstractButton, QLabel, QLineEdit

from ui import theme
from ui.screenshots import each_screen


def visible(win, cls):
    return [w for w in win.findChildren(cls) if w.isVisibleTo(win) and w.isVisible()]


def problems_on(win) -> list[str]:
    out = []
    target = theme.mm_to_px(theme.MIN_TARGET_MM, win.dpi)
    frame = QRect(QPoint(0, 0), win.size())
    for b in visible(win, QAbstractButton):
        name = b.text().replace("\n", " / ") or b.toolTip()
        if b.width() < target or b.height() < target:
            out.append(f"button {name!r} is {b.width()}x{b.height()} px < {target} px")
        fm = b.fontMetrics()
        lines = b.text().split("\n")
        widest = max(fm.horizontalAdvance(line) for line in lines)
        if widest > b.contentsRect().width() - 4:
            out.append(f"button {name!r}: text {widest} px wide in {b.width()} px")
        if len(lines) * fm.lineSpacing() > b.height():
            out.append(f"button {name!r}: {len(lines)} lines do not fit {b.height()} px")
    for lab in visible(win, QLabel):
        text = lab.text()
        if not text or lab.pixmap() is not None and not lab.pixmap().isNull():
            continue
        fm = lab.fontMetrics()
        room = lab.contentsRect()
        if lab.wordWrap():
            need = lab.heightForWidth(lab.width())
            if need > lab.height() + 2:
                out.append(f"label {text[:40]!r}: needs {need} px, has {lab.height()} px")
            longest_word = max((fm.horizontalAdvance(w) for w in text.split()), default=0)
            cjk = any(ord(ch) >= 0x2E80 for ch in text)     # wraps between characters
            if longest_word > room.width() and not cjk:
                out.append(f"label {text[:40]!r}: a word is wider than the label")
        else:
            widest = max(fm.horizontalAdvance(line) for line in text.split("\n"))
            if widest > room.width() + 1:
                out.append(f"label {text[:40]!r}: {widest} px in {room.width()} px")
    for w in visible(win, QAbstractButton) + visible(win, QLabel) + visible(win, QLineEdit):
        rect = QRect(w.mapTo(win, QPoint(0, 0)), w.size())
        if not frame.contains(rect) and w.window() is win:
            scroll = w.parentWidget()
            in_scroll = False
            while scroll is not None:
                if scroll.inherits("QAbstractScrollArea"):
                    in_scroll = True
                    break
                scroll = scroll.parentWidget()
            if not in_scroll:
                out.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()[:30]!r} "
                           f"lies outside the window at {rect.getRect()}")
    return out


@pytest.mark.parametrize("lang", ["vi", "en", "zh"])
def test_large_text_fits_and_targets_are_big_enough(lang, qapp):
    found = {}
    for stem, _, win in each_screen((lang,), large_text=True):
        found[stem] = problems_on(win)
    bad = {k: v for k, v in found.items() if v}
    assert not bad
    assert len(found) >= 20


def test_normal_size_high_contrast_fits(qapp):
    bad = {stem: p for stem, _, win in each_screen(("vi",), high_contrast=True)
           if (p := problems_on(win))}
    assert not bad
