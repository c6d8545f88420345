"""The band on top of every screen: where you are, Back, Home, hotline 1022, language,
large text, high contrast and voice. Home and Back are always there except on the
welcome screen, which is home."""
from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.widgets.buttons import BigButton

LANG_LABELS = {"vi": "Tiếng Việt", "en": "English", "zh": "中文"}


class Header(QWidget):
    back = pyqtSignal()
    home = pyqtSignal()
    language = pyqtSignal(str)
    large_text = pyqtSignal(bool)
    high_contrast = pyqtSignal(bool)
    voice = pyqtSignal(bool)
    help = pyqtSignal()                 # "Gọi hỗ trợ 1022": the hotline help screen

    def __init__(self, tr, *, target_px: int, languages=("vi", "en", "zh"), parent=None):
        super().__init__(parent)
        self.tr = tr
        self.setObjectName("header")
        self.setAttribute(Qt.WA_StyledBackground, True)
        col = QVBoxLayout(self)
        col.setContentsMargins(16, 10, 16, 6)
        col.setSpacing(4)
        row = QHBoxLayout()
        col.addLayout(row)
        row.setSpacing(12)
        h = target_px
        self.back_btn = BigButton(min_px=h, height_px=h)
        self.home_btn = BigButton(min_px=h, height_px=h)
        self.back_btn.clicked.connect(self.back)
        self.home_btn.clicked.connect(self.home)
        # the screen's title: a band of its own under the buttons, so a long title in
        # large text never squeezes the buttons
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.hotline = QLabel()
        self.help_btn = BigButton(kind="primary", min_px=h, height_px=h)
        self.help_btn.clicked.connect(self.help)
        self.help_btn.hide()            # shown when the kiosk has a help desk
        self.lang_btns = {}
        for lang in languages:
            b = BigButton(LANG_LABELS[lang], min_px=h, height_px=h)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, lang=lang: self.language.emit(lang))
            self.lang_btns[lang] = b
        self.large_btn = BigButton("A+", min_px=h, height_px=h)
        self.large_btn.setCheckable(True)
        self.large_btn.toggled.connect(self.large_text)
        self.contrast_btn = BigButton("◐", min_px=h, height_px=h)
        self.contrast_btn.setCheckable(True)
        self.contrast_btn.toggled.connect(self.high_contrast)
        self.voice_btn = BigButton("🔊", min_px=h, height_px=h)
        self.voice_btn.setCheckable(True)
        self.voice_btn.toggled.connect(self.voice)
        for w in (self.back_btn, self.home_btn):
            w.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.hotline)
        for w in (*self.lang_btns.values(), self.large_btn, self.contrast_btn, self.voice_btn):
            w.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
            row.addWidget(w)
        # the title band: the screen's title, and the hotline help button at its right
        band = QHBoxLayout()
        band.setSpacing(12)
        band.addWidget(self.title, 1)
        self.help_btn.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        band.addWidget(self.help_btn, 0, Qt.AlignTop)
        col.addLayout(band)

    def set_screen(self, title: str, *, show_nav: bool) -> None:
        self.title.setText(title)
        self.back_btn.setVisible(show_nav)
        self.home_btn.setVisible(show_nav)

    def retranslate(self, lang: str) -> None:
        self.back_btn.setText("‹ " + self.tr("nav.back"))
        self.home_btn.setText("⌂ " + self.tr("nav.home"))
        self.hotline.setText("☎ " + self.tr("nav.hotline", hotline=self.hotline_number))
        self.help_btn.setText("☎ " + self.tr("nav.help", hotline=self.hotline_number))
        self.large_btn.setToolTip(self.tr("nav.large_text"))
        self.contrast_btn.setToolTip(self.tr("nav.contrast"))
        self.voice_btn.setToolTip(self.tr("nav.voice"))
        for code, b in self.lang_btns.items():
            b.setChecked(code == lang)

    hotline_number = "1022"
