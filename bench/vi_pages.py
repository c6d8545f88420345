"""Made scans of Vietnamese administrative text, with the words they hold.

Used by the OCR benchmark and the digitisation tests: the truth is known, so word
accuracy can be counted. Two fonts (a sans and a serif), full diacritics, paper grain,
a slight skew and scanner noise; every page made from a seed is the same page.
"""
from __future__ import annotations

import difflib
import random
import unicodedata

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "serif": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
}
SENTENCES = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập Tự do Hạnh phúc",
    "Tờ khai đăng ký khai sinh cho con",
    "Kính gửi Ủy ban nhân dân phường Bình Tây",
    "Họ và tên người yêu cầu Nguyễn Thị Hằng",
    "Nơi cư trú số 45 đường Lê Lợi thành phố Hồ Chí Minh",
    "Giấy tờ tùy thân thẻ căn cước do Bộ Công an cấp",
    "Quan hệ với người được đăng ký là mẹ đẻ",
    "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây",
    "Ngày tháng năm sinh mười hai tháng chín năm hai nghìn",
    "Giới tính nữ dân tộc Kinh quốc tịch Việt Nam",
    "Nơi sinh bệnh viện Hùng Vương quận năm",
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật",
    "và chịu trách nhiệm trước pháp luật về cam đoan của mình",
    "Làm tại phường Bình Tây ngày mười lăm tháng tư",
    "Người yêu cầu ký và ghi rõ họ tên",
    "Hồ sơ gồm bản sao giấy chứng sinh và sổ hộ khẩu",
    "Thời hạn giải quyết trong ngày làm việc tiếp theo",
    "Lệ phí đăng ký khai sinh được miễn theo quy định",
    "Đơn đề nghị cấp bản sao trích lục hộ tịch",
    "Xác nhận thông tin về cư trú của công dân",
    "Chứng thực bản sao từ bản chính giấy tờ văn bản",
    "Người được ủy quyền nộp hồ sơ thay cho người yêu cầu",
    "Kết quả được trả tại bộ phận một cửa của phường",
]


def words_of(text: str) -> list[str]:
    """Words as a reader counts them: NFC, punctuation stripped."""
    text = unicodedata.normalize("NFC", text)
    out = []
    for w in text.split():
        w = w.strip(".,;:!?()\"'“”‘’-–—")
        if w:
            out.append(w)
    return out


def word_accuracy(truth: str, found: str) -> float:
    """Share of the truth's words found exactly and in order (diacritics count)."""
    t, f = words_of(truth), words_of(found)
    if not t:
        return 1.0
    matcher = difflib.SequenceMatcher(a=t, b=f, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) / len(t)


def make_page(seed: int = 0, *, font: str = "sans", dpi: int = 200, lines: int = 18,
              skew_deg: float = 0.8, noise: float = 6.0, size_pt: float = 12.0,
              a4: bool = True) -> tuple[Image.Image, str]:
    """(a grey page, the text on it). ``a4=False`` makes a half-height page (faster)."""
    rng = random.Random(seed)
    w = round(8.27 * dpi)
    h = round(11.69 * dpi) if a4 else round(5.8 * dpi)
    page = Image.new("L", (w, h), 244)
    draw = ImageDraw.Draw(page)
    px = round(size_pt / 72 * dpi)
    face = ImageFont.truetype(FONTS[font], px)
    margin = round(0.9 * dpi)
    y = margin
    text_lines = []
    for i in range(lines):
        line = SENTENCES[rng.randrange(len(SENTENCES))]
        if y + px * 1.7 > h - margin:
            break
        draw.text((margin, y), line, font=face, fill=rng.randint(20, 45))
        text_lines.append(line)
        y += round(px * 1.8)
    if skew_deg:
        page = page.rotate(skew_deg, resample=Image.BICUBIC, fillcolor=244)
    if noise:
        grain = Image.effect_noise(page.size, noise)
        page = Image.blend(page, grain.point(lambda v: min(255, v + 120)), 0.08)
        page = page.filter(ImageFilter.GaussianBlur(0.4))
    page.info["dpi"] = (dpi, dpi)
    return page, "\n".join(text_lines)
