"""python -m sim.printer --link PATH --out DIR: a receipt printer on a pseudo-terminal.

Type a switch name (paper_near_end, paper_end, cover_open, error, offline) to flip it,
``status`` to show them, ``quit`` or Ctrl-D to stop.
"""
from __future__ import annotations

import sys

from sim import standalone
from sim.printer.device import SWITCHES, PrinterSim


def _handle(sim: PrinterSim, line: str) -> str | None:
    word = line.strip()
    if word in ("quit", "exit"):
        raise standalone.Stop
    if word in SWITCHES:
        sim.set(**{word: not sim.switches[word]})
    elif word and word != "status":
        return f"unknown command {word!r}; one of {', '.join(SWITCHES)}, status, quit"
    return " ".join([*(f"{k}={'on' if v else 'off'}" for k, v in sim.switches.items()),
                     f"receipts={len(sim.receipts)}"])


def main(argv: list[str] | None = None) -> int:
    ap = standalone.parser("sim.printer", __doc__)
    standalone.add_path(ap, "--link", "dev/printer", "symlink the kiosk opens")
    standalone.add_path(ap, "--out", "receipts/standalone", "folder for the receipt PNGs")
    ap.add_argument("--baud", type=int, default=None,
                    help="take bytes no faster than this serial speed (default: as fast as "
                         "they come)")
    args = standalone.parse(ap, argv)
    with PrinterSim(args.link, args.out, line_baud=args.baud) as sim:
        return standalone.serve(f"printer on {sim.path} ({sim.link.slave_name}); receipts "
                                f"into {args.out}", lambda line: _handle(sim, line))


if __name__ == "__main__":
    sys.exit(main())
