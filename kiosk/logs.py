"""Logging for an unattended machine: to a file in the data folder and to stderr
(journald under systemd), with personal numbers masked as a last line of defence.

The code never logs a phone, ID number, OTP or PIN on purpose; the filter below also
masks any run of 6 to 12 digits that slips through, keeping only its last three digits.
"""
from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_DIGITS = re.compile(r"(?<![\w.:/-])(\+?84|0)?(\d{3,9})(\d{3})(?![\w.:/-])")


def _mask(match: re.Match) -> str:
    whole = match.group(0)
    digits = sum(c.isdigit() for c in whole)
    if digits < 6:
        return whole
    return "*" * (len(whole) - 3) + whole[-3:]


class MaskNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        masked = _DIGITS.sub(_mask, msg)
        if masked != msg:
            record.msg, record.args = masked, None
        return True


def setup_logging(log_file: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    for h in list(root.handlers):
        root.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8"))
    for h in handlers:
        h.setFormatter(fmt)
        h.addFilter(MaskNumbers())
        root.addHandler(h)
