"""Done: the dossier code, the receipt on paper (or why not) and by SMS."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen


class DoneScreen(Screen):
    name = "deposit-done"
    title_key = "done.title"
    speak_key = "done.speak"
    show_nav = True

    def build(self):
        self.head = self.label("title")
        self.code = self.label("huge")
        self.printed = self.label()
        self.sms = self.label()
        self.payment = self.label()
        self.due = self.label("title")
        self.body = self.label("muted")
        for w in (self.head, self.code, self.due, self.body, self.printed, self.sms,
                  self.payment):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.rate_btn = self.button("primary", height_mm=22)
        self.rate_btn.clicked.connect(lambda: self.win.go("rating", subject=self.ctx_code))
        self.finish_btn = self.button(height_mm=22)
        self.finish_btn.clicked.connect(lambda: self.win.home("finished"))
        row.addWidget(self.rate_btn)
        row.addWidget(self.finish_btn)
        self.layout_.addLayout(row)
        self.ctx_code = None
        self.outcome = None

    def enter(self, **ctx):
        super().enter(**ctx)
        dep = self.win.session["deposit"]
        self.outcome = None
        self.printed.setText(self.tr("done.printing"))
        self.sms.setText("")
        self.payment.setText(self.tr("done.pay_counter") if dep.payment_state == "at_counter"
                             else "")
        self.code.setText("")
        self.due.setText("")
        self.body.setText("")
        self.retranslate()
        citizen = self.win.citizen

        def work():
            if ctx.get("submitting"):
                citizen.submit_online(dep)
            return citizen.send_receipts(dep)

        self.win.ops.run(work, on_success=self.receipts_done,
                         on_failure=lambda exc: self.win.problem(
                             getattr(exc, "reason", "unexpected")))

    def receipts_done(self, outcome: dict):
        self.outcome = outcome
        self.ctx_code = outcome["code"]
        self.code.setText(outcome["code"])
        self.retranslate()
        self.win.say(self.head.text())

    def on_back(self):
        self.win.home("finished")        # the deposit is recorded: nothing to go back to

    def leave(self):
        self.win.session.get("deposit") and self.win.session["deposit"].wipe()

    def wipe(self):
        self.code.setText("")
        self.outcome = None

    def retranslate(self):
        dep = self.win.session.get("deposit") if self.win.session else None
        online = bool(dep and dep.online)
        self.head.setText(self.tr("done.online" if online else "done.head"))
        if self.outcome is not None:
            self.printed.setText(self.tr("done.printed" if self.outcome["printed"]
                                         else "done.no_paper"))
            self.sms.setText(self.tr("done.sms" if self.outcome["sms"] else "done.no_sms"))
        code = self.outcome["code"] if self.outcome else None
        due = self.win.citizen.appointment(code) if code else None
        self.due.setText(self.tr("appointment", date=f"{due:%d/%m/%Y}") if due else "")
        if dep is not None and code:
            self.body.setText(self.tr("handled_by", body=self.win.citizen._body(
                dep.procedure, self.tr.lang)))
        self.rate_btn.setText(self.tr("done.rate"))
        self.finish_btn.setText(self.tr("done.finish"))
