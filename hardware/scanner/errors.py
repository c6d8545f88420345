"""SANE status texts (sane_strstatus, as scanimage prints them) → what the kiosk says."""
from __future__ import annotations

from hardware.ports import DeviceError, ScannerState


class ScannerError(DeviceError):
    """A scan failed; ``state`` is the port's ScannerState, the message is for the screen."""

    def __init__(self, state: ScannerState, message: str, advice: str = ""):
        super().__init__(message, advice)
        self.state = state


# (text scanimage prints, state, what the citizen/technician is told, advice)
SANE_MESSAGES = (
    ("Document feeder jammed", ScannerState.JAM,
     "the paper is jammed in the scanner",
     "open the scanner cover, remove the jammed sheet and put the pages back in the feeder"),
    ("Document feeder out of documents", ScannerState.NO_PAPER,
     "there is no paper in the scanner feeder",
     "put the pages face down in the feeder and try again"),
    ("Scanner cover is open", ScannerState.COVER_OPEN,
     "the scanner cover is open", "close the scanner cover and try again"),
    ("Device busy", ScannerState.OFFLINE,
     "the scanner is busy with another job", "wait a moment and try again"),
    ("Error during device I/O", ScannerState.OFFLINE,
     "the scanner stopped answering", "check its USB cable and power, then try again"),
    ("Access to resource has been denied", ScannerState.OFFLINE,
     "the kiosk may not use the scanner", "add the kiosk user to the 'scanner' group"),
    ("Out of memory", ScannerState.OFFLINE,
     "the scanner ran out of memory", "scan fewer pages at a time"),
    ("Operation was cancelled", ScannerState.OFFLINE,
     "the scan was cancelled", "try again"),
    ("Invalid argument", ScannerState.OFFLINE,
     "the scanner was not found", "check its USB cable and [scanner] device "
                                  "(`scanimage -L` lists scanners)"),
    ("no SANE devices found", ScannerState.OFFLINE,
     "no scanner was found", "check its USB cable and power"),
)


def from_sane(stderr: str, device: str) -> ScannerError:
    """The first known SANE status in scanimage's error output, as a ScannerError."""
    for text, state, message, advice in SANE_MESSAGES:
        if text.lower() in stderr.lower():
            return ScannerError(state, f"scanner {device}: {message}", advice)
    last = next((ln for ln in reversed(stderr.strip().splitlines()) if ln.strip()),
                "no error text")
    return ScannerError(ScannerState.OFFLINE, f"scanner {device} failed: {last.strip()}",
                        "check the scanner's cable and power; `scanimage -L` lists scanners")
