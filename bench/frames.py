"""Synthetic inputs shared by the benchmarks: a camera frame with an ID-card QR, A4 pages.

Made-up citizen data only. Deterministic (seeded), so runs compare.
"""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

CCCD_TEXT = ("079190001234|025123456|Trần Thị Mai|15031990|Nữ|"
             "12 Nguyễn Trãi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|20082021")


def camera_frame(seed: int = 1, text: str = CCCD_TEXT) -> Image.Image:
    """A 1280x720 RGB frame: a card held a little off-centre and slightly tilted, sensor
    noise, soft focus, as a kiosk's code-reader camera sees it."""
    import segno
    rng = random.Random(seed)
    frame = Image.new("RGB", (1280, 720), (118, 112, 104))
    draw = ImageDraw.Draw(frame)
    for _ in range(60):                          # background clutter
        x, y = rng.randrange(1280), rng.randrange(720)
        c = tuple(rng.randrange(60, 200) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(10, 80)), fill=c)
    card = Image.new("RGB", (540, 340), (236, 232, 220))
    cdraw = ImageDraw.Draw(card)
    cdraw.rectangle((20, 20, 150, 180), fill=(180, 170, 160))
    for i in range(6):
        cdraw.rectangle((170, 30 + 28 * i, 330, 44 + 28 * i), fill=(70, 70, 90))
    buf = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buf, kind="png", scale=3, border=2)
    buf.seek(0)
    qr = Image.open(buf).convert("RGB")
    card.paste(qr, (540 - qr.width - 16, 340 - qr.height - 16))
    card = card.rotate(7, expand=True, fillcolor=(118, 112, 104), resample=Image.BICUBIC)
    frame.paste(card, (420, 160))
    frame = frame.filter(ImageFilter.GaussianBlur(0.8))
    noise = Image.effect_noise((1280, 720), 10).convert("RGB")
    return Image.blend(frame, noise, 0.08)


def a4_page(n: int, dpi: int = 200, seed: int = 3) -> Image.Image:
    """An A4 page scanned in grey at ``dpi``: a form with a header, ruled lines of
    'text', a stamp and a signature, paper grain and a faint skew."""
    rng = random.Random(seed + n)
    w, h = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("L", (w, h), 246)
    d = ImageDraw.Draw(page)
    s = dpi / 200.0
    d.rectangle((int(120 * s), int(100 * s), w - int(120 * s), int(260 * s)), outline=20,
                width=max(1, int(4 * s)))
    d.text((int(150 * s), int(140 * s)), f"CONG HOA XA HOI CHU NGHIA VIET NAM - TRANG {n + 1}",
           fill=10)
    y = int(320 * s)
    while y < h - int(300 * s):
        x = int(130 * s)
        end = w - int(130 * s) - rng.randrange(int(400 * s))
        while x < end:                            # words: short dark bars
            wlen = rng.randrange(int(20 * s), int(90 * s))
            d.rectangle((x, y, min(end, x + wlen), y + int(14 * s)), fill=rng.randrange(15, 60))
            x += wlen + int(12 * s)
        y += int(38 * s)
    cx, cy = w - int(420 * s), h - int(420 * s)
    d.ellipse((cx, cy, cx + int(220 * s), cy + int(220 * s)), outline=90, width=int(8 * s))
    d.line([(int(200 * s) + i * int(12 * s), h - int(300 * s) + rng.randrange(int(40 * s)))
            for i in range(30)], fill=30, width=max(1, int(3 * s)))
    page = page.rotate(0.4, resample=Image.BICUBIC, fillcolor=246)
    grain = Image.effect_noise((w, h), 6)
    page = Image.blend(page, grain.point(lambda v: v), 0.06)
    page.info["dpi"] = (dpi, dpi)
    return page
