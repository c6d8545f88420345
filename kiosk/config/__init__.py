"""Load and validate a kiosk profile (TOML).

A profile is checked completely before any device is touched. Every problem becomes one
line naming the file, the key, what was found and what is expected (``ConfigError``);
the CLI prints them and exits with status 2.

Parts: ``sections`` (kiosk, secrets, rounds, city, devices, screens), ``cabinets`` (lock
buses, boards, tray groups and their cross-checks), ``profile`` (``KioskConfig``),
``loading`` (``load_config``, ``parse_config``, ``ConfigError``, ``summary``).
"""
from __future__ import annotations

from kiosk.config.cabinets import (TRAY_SIZES, Cabinet, LockBoard, LockBus, TrayGroup,
                                   TraySpec)
from kiosk.config.loading import (DEFAULT_CONFIG, ConfigError, load_config, parse_config,
                                  summary)
from kiosk.config.profile import KioskConfig
from kiosk.config.sections import (CitySection, CodeReaderSection, GpioSection,
                                   KioskSection, ModemSection, PrinterSection,
                                   RoundsSection, ScannerSection, SecretsSection, UiSection)

__all__ = ["DEFAULT_CONFIG", "TRAY_SIZES", "Cabinet", "CitySection", "CodeReaderSection",
           "ConfigError", "GpioSection", "KioskConfig", "KioskSection", "LockBoard",
           "LockBus", "ModemSection", "PrinterSection", "RoundsSection", "ScannerSection",
           "SecretsSection", "TrayGroup", "TraySpec", "UiSection", "load_config",
           "parse_config", "summary"]
