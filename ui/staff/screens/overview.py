"""What waits at this round (deposits, results, expired results), one button per job."""
from __future__ import annotations

from PyQt5.QtWidgets import QGridLayout

from ui.staff.screens.base import ConsoleScreen


class OverviewScreen(ConsoleScreen):
    """What waits at this round, with one button per job."""

    name = "overview"
    title = "Đợt thu / trả hồ sơ"

    def build(self):
        self.heading = self.label("title")
        self.layout_.addWidget(self.heading)
        grid = QGridLayout()
        grid.setSpacing(24)
        self.counts, self.details, self.actions = {}, {}, {}
        jobs = (("collect", "Hồ sơ cần thu", "Collect deposits", "Thu hồ sơ ›"),
                ("load", "Kết quả cần nạp", "Load results", "Nạp kết quả ›"),
                ("retrieve", "Kết quả quá hạn cần lấy về", "Take back expired",
                 "Lấy về ›"))
        for col, (key, vi, en, action) in enumerate(jobs):
            frame, lay = self.panel()
            cap = self.label("big")
            cap.setText(vi)
            sub = self.label("muted")
            sub.setText(en)
            count = self.label("count")
            detail = self.label("muted")
            btn = self.button(action, "primary", 18)
            btn.clicked.connect(lambda _=False, key=key: self.open_job(key))
            for w in (cap, sub, count, detail):
                lay.addWidget(w)
            lay.addStretch(1)
            lay.addWidget(btn)
            grid.addWidget(frame, 0, col)
            self.counts[key], self.details[key], self.actions[key] = count, detail, btn
        self.layout_.addLayout(grid, 1)
        self.status = self.label()
        self.figures = self.label("muted")
        self.figures.setWordWrap(True)
        self.layout_.addWidget(self.figures)
        self.message = self.label("error")
        self.message.hide()
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.message)
        self.finish_btn = self.button("Kết thúc đợt và in báo cáo / Finish and print report",
                                      height_mm=18)
        self.finish_btn.clicked.connect(lambda: self.console.show_screen("report"))
        self.layout_.addWidget(self.finish_btn)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.say(self.message, "")
        if self.console.run is None:
            actor = self.console.session.actor
            self.run(self.console.rounds.begin, actor, ok=self._begun)
        else:
            self.refresh()

    def _begun(self, run) -> None:
        self.console.run = run
        if run.incidents:
            self.say(self.message, "Cảm biến phát hiện đồ trong ô không có hồ sơ: " +
                     ", ".join(i["tray"] for i in run.incidents) +
                     " — ô đã ngừng sử dụng, báo kỹ thuật viên.", "warn")
        self.refresh()

    def refresh(self) -> None:
        self.run(self.console.rounds.overview, ok=self.show_overview)

    def show_overview(self, ov: dict) -> None:
        who = self.console.session.name if self.console.session else ""
        self.heading.setText(f"Đợt {ov['round']} — {who}")
        lists = {"collect": ov["deposits"], "load": ov["results"], "retrieve": ov["expired"]}
        for key, items in lists.items():
            self.counts[key].setText(str(len(items)))
            if key == "load":
                text = "\n".join(f"{r['code']}  cỡ {r['size']}" for r in items[:6])
            else:
                text = "\n".join(f"{r['tray']}  {r['code']}" for r in items[:6])
            if len(items) > 6:
                text += f"\n… +{len(items) - 6}"
            self.details[key].setText(text or "—")
            if key != "load":
                self.actions[key].setEnabled(bool(items))
        free = ov["free"]
        nxt = ov["next_round"]
        self.status.setText(f"Ô trống: S {free['S']} · M {free['M']} · L {free['L']}    "
                            f"Sự cố chưa xử lý: {len(ov['incidents'])}    "
                            f"Đợt kế tiếp: {nxt:%H:%M %d/%m}")
        if ov.get("figures"):
            from kiosk.reports.figures import console_lines
            self.figures.setText("\n".join(console_lines(ov["figures"])))

    def open_job(self, key: str) -> None:
        if self.console.run is None:
            return
        self.console.show_screen("load" if key == "load" else key)
