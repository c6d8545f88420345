"""The cabinet grid of the technician window: one tile per tray, showing the door and
paper as the hardware has them and the tray state as the kiosk has it."""
from __future__ import annotations

from PyQt5.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMenu,
                             QPushButton, QScrollArea, QVBoxLayout, QWidget)

DOOR_COLOURS = {"locked": "#2e7d32", "closed": "#558b2f", "open": "#f9a825",
                "tampered": "#c62828"}
SHORT_STATES = {"OCCUPIED_DEPOSIT": "deposit", "OCCUPIED_RESULT": "result",
                "OUT_OF_SERVICE": "out of svc", "UNLOCKING": "unlocking"}
KIOSK_ALERT_STATES = {"UNKNOWN", "FAULT", "TAMPERED", "OUT_OF_SERVICE"}


class TrayTile(QPushButton):
    """One tray: its door and paper as the hardware has them, its state as the kiosk
    has it. Click for what a person can do at that door."""

    def __init__(self, tray: str, size: str, win):
        super().__init__()
        self.tray, self.size, self.win = tray, size, win
        self.setObjectName(f"tray_{tray}")
        self.setMinimumSize(96, 64)
        self.clicked.connect(self.show_menu)
        self.door = "locked"
        self.paper = False
        self.kiosk_state = ""

    def update_view(self, hw: dict, kiosk: dict | None) -> None:
        self.door, self.paper = hw["door"], hw["paper"]
        self.kiosk_state = (kiosk or {}).get("state", "")
        code = (kiosk or {}).get("dossier_code") or ""
        lines = [f"{self.tray} {self.size}" + (" ▣" if self.paper else ""), self.door,
                 SHORT_STATES.get(self.kiosk_state, self.kiosk_state.lower())]
        if code:
            lines.append(code[-5:])
        self.setText("\n".join(lines))
        colour = DOOR_COLOURS.get(self.door, "#757575")
        border = "#c62828" if self.kiosk_state in KIOSK_ALERT_STATES else "#263238"
        self.setStyleSheet(f"QPushButton {{ background: {colour}; color: white; "
                           f"border: 3px solid {border}; border-radius: 6px; "
                           "font-size: 11px; padding: 2px; }")
        self.setToolTip(f"tray {self.tray}: door {self.door}, "
                        f"{'paper inside' if self.paper else 'empty'}; kiosk says "
                        f"{self.kiosk_state or '?'} {code}")

    def actions(self) -> list[tuple[str, callable]]:
        L = self.win.launcher
        acts = []
        if self.door in ("open", "tampered"):
            acts.append(("Close the door", lambda: L.close_door(self.tray)))
        else:
            acts.append(("Pry the door open (tamper)", lambda: L.force_open(self.tray)))
        if self.paper:
            acts.append(("Take the paper out", lambda: L.take_paper(self.tray)))
        else:
            acts.append(("Put paper in", lambda: L.put_paper(self.tray)))
        return acts

    def show_menu(self) -> None:
        menu = QMenu(self)
        for label, fn in self.actions():
            menu.addAction(label, lambda fn=fn: (fn(), self.win.refresh()))
        menu.popup(self.mapToGlobal(self.rect().center()))


class CabinetPanel:
    """A mixin of ``TechWindow``: the grid of ``TrayTile``s in ``self.tiles``."""

    def _build_cabinet(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        legend = QLabel("▣ paper inside. Door: <b style='color:#2e7d32'>locked</b> · "
                        "<b style='color:#f9a825'>open</b> · "
                        "<b style='color:#c62828'>tampered</b>; red frame: the kiosk "
                        "flags the tray. Click a tray to act at its door.")
        legend.setWordWrap(True)
        col.addWidget(legend)
        cabinets: dict[str, list] = {}
        for p in self.launcher.places:
            cabinets.setdefault(p.cabinet, []).append(p)
        row = QHBoxLayout()
        for cab, places in cabinets.items():
            group = QGroupBox(f"Cabinet {cab}")
            grid = QGridLayout(group)
            grid.setSpacing(4)
            per_col = 8 if len(places) <= 32 else 12
            for i, p in enumerate(places):
                tile = TrayTile(p.tray, p.size, self)
                self.tiles[p.tray] = tile
                grid.addWidget(tile, i % per_col, i // per_col)
            row.addWidget(group)
        col.addLayout(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(box)
        return scroll

    def _refresh_cabinet(self) -> dict[str, dict]:
        """Update every tile; returns what the kiosk says about its trays."""
        hw = self.launcher.cabinet()
        kiosk = self.launcher.kiosk_trays()
        for tray, tile in self.tiles.items():
            tile.update_view(hw[tray], kiosk.get(tray))
        return kiosk
