"""The whole profile: every section, the cross-checks of the wiring, and the views the
rest of the kiosk derives from it (paths, the list of trays)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from kiosk.config.cabinets import Cabinet, LockBus, TraySpec, wiring_problems
from kiosk.config.fleet import CommandsSection, MetricsSection
from kiosk.config.sections import (CitySection, CodeReaderSection, GpioSection,
                                   KioskSection, ModemSection, PrinterSection,
                                   RoundsSection, ScannerSection, SecretsSection,
                                   UiSection, _Section)
from kiosk.updates.settings import UpdatesSection
from kiosk.digitise.settings import DigitiseSection


class KioskConfig(_Section):
    kiosk: KioskSection
    secrets: SecretsSection = SecretsSection()
    rounds: RoundsSection = RoundsSection()
    city: CitySection = CitySection()
    lock_buses: list[LockBus] = []
    cabinets: Annotated[list[Cabinet], Field(min_length=1)]
    gpio: GpioSection = GpioSection()
    printer: PrinterSection = PrinterSection()
    scanner: ScannerSection = ScannerSection()
    code_reader: CodeReaderSection = CodeReaderSection()
    modem: ModemSection = ModemSection()
    ui: UiSection = UiSection()
    metrics: MetricsSection = MetricsSection()
    commands: CommandsSection = CommandsSection()
    updates: UpdatesSection = UpdatesSection()
    digitise: DigitiseSection = DigitiseSection()

    # filled by load_config, not by the file
    source: str = ""
    base_dir: str = "."

    @model_validator(mode="after")
    def _cross_checks(self):
        problems = wiring_problems(self.lock_buses, self.cabinets)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # ---- derived views -------------------------------------------------------------
    def path(self, template: str) -> Path:
        """Expand ``{data_dir}`` and make a path absolute against the profile's folder."""
        data_dir = Path(self.kiosk.data_dir).expanduser()
        if not data_dir.is_absolute():
            data_dir = Path(self.base_dir) / data_dir
        text = template.replace("{data_dir}", str(data_dir))
        p = Path(text).expanduser()
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def data_dir(self) -> Path:
        return self.path("{data_dir}")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    def trays(self) -> list["TraySpec"]:
        out = []
        for cab in self.cabinets:
            boards = {b.address: b for b in cab.boards}
            for grp in cab.trays:
                for i in range(grp.count):
                    tid = f"{cab.id}{grp.first + i:02d}"
                    if grp.board is not None:
                        b = boards[grp.board]
                        out.append(TraySpec(tid, cab.id, grp.size, b.bus, b.address,
                                            grp.first_lock + i, None, None, b.item_sensors))
                    else:
                        out.append(TraySpec(tid, cab.id, grp.size, None, None, None,
                                            grp.relay_pins[i], grp.door_pins[i], False))
        return out
