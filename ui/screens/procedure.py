"""One procedure: the papers to bring, the fee, and how to hand them in."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen


class ProcedureScreen(Screen):
    name = "deposit-procedure"
    title_key = "procedure.title"
    speak_key = "procedure.speak"

    def build(self):
        self.name_lab = self.label("title")
        self.layout_.addWidget(self.name_lab)
        frame, lay = self.panel()
        self.docs_head = self.label()
        self.docs = self.label()
        lay.addWidget(self.docs_head)
        lay.addWidget(self.docs)
        self.layout_.addWidget(frame)
        self.fee = self.label()
        self.layout_.addWidget(self.fee)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.paper_btn = self.button("primary", height_mm=24)
        self.paper_btn.clicked.connect(lambda: self.proceed(online=False))
        self.online_btn = self.button(height_mm=24)
        self.online_btn.clicked.connect(lambda: self.proceed(online=True))
        row.addWidget(self.paper_btn)
        row.addWidget(self.online_btn)
        self.layout_.addLayout(row)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()

    def proceed(self, online: bool):
        self.win.session["deposit"].online = online
        self.win.go("deposit-identify")

    def retranslate(self):
        dep = self.win.session.get("deposit") if self.win.session else None
        self.docs_head.setText(self.tr("procedure.docs"))
        self.paper_btn.setText(self.tr("procedure.paper"))
        self.online_btn.setText(self.tr("procedure.online"))
        if dep is None:
            return
        p, lang = dep.procedure, self.tr.lang
        self.name_lab.setText(p.name(lang))
        self.docs.setText("\n".join(f"☐  {d}" for d in p.required_docs[lang]))
        self.fee.setText(self.tr("fee.free") if not p.fee else
                         self.tr("fee.amount", amount=f"{p.fee:,}".replace(",", ".")))
        self.online_btn.setVisible(p.online_allowed)
