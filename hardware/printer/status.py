"""DLE EOT real-time status bytes → what the kiosk should do (docs/devices.md).

Every valid reply has bit 1 and bit 4 set and bit 0 and bit 7 clear (0x12 when idle and
healthy); a byte that breaks that rule is line noise or a different protocol.
"""
from __future__ import annotations

from dataclasses import dataclass

from hardware.ports import PrinterState

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4


def is_status_byte(b: int) -> bool:
    return (b & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    detail: str
    advice: str = ""

    @property
    def can_print(self) -> bool:
        return self.state in (PrinterState.OK, PrinterState.PAPER_NEAR_END)


def decode(replies: dict[int, int | None]) -> PrinterStatus:
    """Turn the replies to DLE EOT 1..4 (None: no answer) into one status.

    Only the queries that were made need to be present; ``replies[1]`` is required.
    """
    first = replies.get(PRINTER)
    if first is None:
        return PrinterStatus(PrinterState.OFFLINE, "the printer does not answer",
                             "check its power and cable; receipts go by SMS meanwhile")
    for n, b in replies.items():
        if b is not None and not is_status_byte(b):
            return PrinterStatus(PrinterState.OFFLINE,
                                 f"the printer answered 0x{b:02X} to status query {n}, "
                                 "which is not an ESC/POS status byte",
                                 "check the baud rate (38400 8N1) and that it is an "
                                 "ESC/POS printer")
    cause = replies.get(OFFLINE_CAUSE)
    if cause is not None:
        if cause & 0x04:
            return PrinterStatus(PrinterState.COVER_OPEN, "the printer cover is open",
                                 "close the cover of the receipt printer")
        if cause & 0x20:
            return PrinterStatus(PrinterState.PAPER_OUT, "the receipt paper has run out",
                                 "load a new 80 mm roll")
    paper = replies.get(PAPER)
    if paper is not None and paper & 0x60 == 0x60:
        return PrinterStatus(PrinterState.PAPER_OUT, "the receipt paper has run out",
                             "load a new 80 mm roll")
    if first & 0x08 or (cause is not None and cause & 0x40):
        err = replies.get(ERROR_CAUSE)
        what = "an error"
        if err is not None and err & 0x08:
            what = "an auto-cutter error"
        elif err is not None and err & 0x20:
            what = "an unrecoverable error"
        return PrinterStatus(PrinterState.OFFLINE, f"the printer is offline with {what}",
                             "open and close the cover, clear any paper jam at the "
                             "cutter, or power-cycle the printer")
    if paper is not None and paper & 0x0C == 0x0C:
        return PrinterStatus(PrinterState.PAPER_NEAR_END, "the receipt paper is nearly out",
                             "change the roll at the next round")
    return PrinterStatus(PrinterState.OK, "ready")
