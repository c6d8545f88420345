"""`make screenshots` names files <screen>.<lang>.png at 1920×1080."""
from PIL import Image

from ui.screenshots import render


def test_render_names_files_by_screen_and_language(tmp_path, qapp):
    paths = render(tmp_path, ("vi", "zh"), only=["welcome", "deposit-phone"])
    assert sorted(p.name for p in paths) == ["deposit-phone.vi.png", "deposit-phone.zh.png",
                                             "welcome.vi.png", "welcome.zh.png"]
    for p in paths:
        with Image.open(p) as img:
            assert img.size == (1920, 1080)
            assert len(img.getcolors(256) or []) > 4      # a drawn screen, not a blank
