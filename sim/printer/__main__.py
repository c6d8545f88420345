"""python -m sim.printer --link PATH --out DIR: a receipt printer on a pseudo-terminal.

Type a switch name (paper_near_end, paper_end, cover_open, error, offline) to flip it,
``status`` to show them, ``quit`` or Ctrl-D to stop.
"""
from __future__ import annotations

import argparse
import signal
import sys

from .device import SWITCHES, PrinterSim


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.printer", description=__doc__.split("\n")[0])
    ap.add_argument("--link", required=True, help="symlink the kiosk opens, e.g. var/dev/printer")
    ap.add_argument("--out", required=True, help="folder for the receipt PNGs")
    ap.add_argument("--baud", type=int, default=None,
                    help="take bytes no faster than this serial speed (default: as fast as "
                         "they come)")
    args = ap.parse_args(argv)
    # SIGTERM closes the link like Ctrl-C, so the symlink does not outlive the simulator
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with PrinterSim(args.link, args.out, line_baud=args.baud) as sim:
        print(f"printer on {sim.path} ({sim.link.slave_name}); receipts into {args.out}",
              flush=True)
        for line in sys.stdin:
            word = line.strip()
            if word in ("quit", "exit"):
                break
            if word in SWITCHES:
                sim.set(**{word: not sim.switches[word]})
            elif word and word != "status":
                print(f"unknown command {word!r}; one of {', '.join(SWITCHES)}, status, quit")
                continue
            print(" ".join(f"{k}={'on' if v else 'off'}" for k, v in sim.switches.items()),
                  f"receipts={len(sim.receipts)}", flush=True)
        else:
            # stdin closed (e.g. started in the background): keep serving until killed
            if not sys.stdin.isatty():
                try:
                    import threading
                    threading.Event().wait()
                except KeyboardInterrupt:
                    pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
