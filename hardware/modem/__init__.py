"""GSM modem driver: SMS over AT commands in UCS2 text mode."""
from __future__ import annotations

import logging

from .codec import split_sms, to_ucs2_hex, from_ucs2_hex
from .driver import AtModem, ModemError, ModemNotAnswering, SmsRejected

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["AtModem", "ModemError", "ModemNotAnswering", "SmsRejected", "split_sms",
           "to_ucs2_hex", "from_ucs2_hex", "build_modem"]


def build_modem(cfg) -> AtModem | None:
    """The modem of a kiosk profile, or None when ``[modem] enabled = false``.

    The port is opened on first use, so a modem plugged in later still works.
    """
    m = cfg.modem
    if not m.enabled:
        return None
    return AtModem(str(cfg.path(m.port)), m.baud)
