"""Choose a procedure: by category or by typing a few letters (marks not needed)."""
from __future__ import annotations

import textwrap

from PyQt5.QtWidgets import (QGridLayout, QHBoxLayout, QLineEdit, QScrollArea, QVBoxLayout,
                             QWidget)

from ui.screens.base import Screen
from ui.widgets.buttons import BigButton

KEYS = "ABCDEGHIKLMNOPQRSTUVXY"


class CatalogScreen(Screen):
    name = "deposit-catalog"
    title_key = "catalog.title"
    speak_key = "catalog.speak"

    def build(self):
        self.hint = self.label()
        self.layout_.addWidget(self.hint)
        body = QHBoxLayout()
        body.setSpacing(24)
        # categories
        self.cat_col = QVBoxLayout()
        self.cat_col.setSpacing(12)
        self.all_btn = self.button(height_mm=17)
        self.all_btn.setCheckable(True)
        self.all_btn.clicked.connect(lambda: self.pick_category(None))
        self.cat_col.addWidget(self.all_btn)
        self.cat_btns: list[tuple[str, BigButton]] = []
        cat_box = QWidget()
        cat_box.setLayout(self.cat_col)
        cat_box.setFixedWidth(self.win.px(105))
        body.addWidget(cat_box)
        # results
        self.results = QWidget()
        self.results_col = QVBoxLayout(self.results)
        self.results_col.setSpacing(12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.results)
        body.addWidget(scroll, 1)
        # search
        side = QVBoxLayout()
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda _: self.refresh())
        side.addWidget(self.search)
        grid = QGridLayout()
        grid.setSpacing(8)
        keys = list(KEYS) + ["␣", "⌫"]
        kp = self.win.px(19)
        for i, k in enumerate(keys):
            b = BigButton(k, kind="smallkey", min_px=kp, height_px=kp)
            b.setFixedSize(kp, kp)
            b.clicked.connect(lambda _=False, k=k: self.key(k))
            grid.addWidget(b, i // 5, i % 5)
        side.addLayout(grid)
        side.addStretch(1)
        body.addLayout(side)
        self.layout_.addLayout(body, 1)
        self.version = self.label("muted")
        self.layout_.addWidget(self.version)
        self.category = None
        self.shown_codes: list[str] = []

    def key(self, k):
        text = self.search.text()
        self.search.setText(text[:-1] if k == "⌫" else text + (" " if k == "␣" else k))

    def pick_category(self, category):
        self.category = category
        self.refresh()

    def enter(self, **ctx):
        super().enter(**ctx)
        self.win.session.setdefault("flow", "deposit")
        self.build_categories()
        self.refresh()

    def build_categories(self):
        lang = self.tr.lang
        for _, b in self.cat_btns:
            self.cat_col.removeWidget(b)
            b.deleteLater()
        self.cat_btns = []
        for cat in self.win.citizen.catalog.categories(lang):
            b = self.button(height_mm=17)
            b.setText(cat)
            b.setAccessibleName(cat)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, c=cat: self.pick_category(c))
            self.cat_col.addWidget(b)
            self.cat_btns.append((cat, b))
        self.cat_col.addStretch(1)

    def refresh(self):
        lang = self.tr.lang
        self.all_btn.setChecked(self.category is None)
        for cat, b in self.cat_btns:
            b.setChecked(cat == self.category)
        while self.results_col.count():
            item = self.results_col.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        found = self.win.citizen.catalog.search(self.search.text(), self.category, lang)
        self.shown_codes = [p.code for p in found]
        self.proc_btns = {}
        for p in found:
            b = self.button(height_mm=20)
            amount = f"{p.fee:,}".replace(",", ".")
            fee = self.tr("fee.amount", amount=amount) if p.fee else self.tr("fee.free")
            name = "\n".join(textwrap.wrap(p.name(lang), 26 if lang == "zh" else 46))
            b.setText(f"{name}\n{fee}")
            b.setAccessibleName(p.name(lang))        # read aloud, and found, in one piece
            b.clicked.connect(lambda _=False, code=p.code: self.choose(code))
            self.results_col.addWidget(b)
            self.proc_btns[p.code] = b
        if not found:
            lab = self.label("warn")
            lab.setText(self.tr("catalog.none"))
            self.results_col.addWidget(lab)
        self.results_col.addStretch(1)

    def choose(self, code: str):
        deposit = self.win.citizen.start_deposit(code, self.tr.lang)
        self.win.session["deposit"] = deposit
        self.win.go("deposit-procedure")

    def wipe(self):
        self.search.clear()
        self.category = None

    def version_text(self) -> str:
        """Which catalog is shown: the city's, or the one built into the machine."""
        v = self.win.citizen.catalog.version()
        if not v.get("version"):
            return ""
        day = v.get("published") or ""
        if len(day) == 10:
            day = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
        return self.tr(f"catalog.version.{v.get('origin', 'city')}", version=v["version"],
                       date=day)

    def retranslate(self):
        self.version.setText(self.version_text())
        self.hint.setText(self.tr("catalog.hint"))
        self.all_btn.setText(self.tr("catalog.all"))
        self.search.setPlaceholderText(self.tr("catalog.search"))
        if self.win.current() is self:
            self.build_categories()
            self.refresh()
