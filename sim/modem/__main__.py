"""python -m sim.modem --link PATH --inbox FILE: a GSM modem on a pseudo-terminal.

Type ``network`` to toggle the network, ``silent`` to toggle answering, ``cms N`` to
refuse every SMS with +CMS ERROR N (``cms off`` to stop), ``quit`` or Ctrl-D to stop.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from .device import ModemSim


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.modem", description=__doc__.split("\n")[0])
    ap.add_argument("--link", required=True, help="symlink the kiosk opens, e.g. var/dev/modem")
    ap.add_argument("--inbox", required=True, help="JSON-lines file of every SMS sent")
    args = ap.parse_args(argv)
    # SIGTERM closes the link like Ctrl-C, so the symlink does not outlive the simulator
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with ModemSim(args.link, args.inbox) as sim:
        print(f"modem on {sim.path}; SMS into {args.inbox}", flush=True)
        for line in sys.stdin:
            word = line.split()
            if not word:
                continue
            if word[0] in ("quit", "exit"):
                return 0
            if word[0] == "network":
                sim.no_network = not sim.no_network
            elif word[0] == "silent":
                sim.silent = not sim.silent
            elif word[0] == "cms" and len(word) == 2:
                sim.cms_error = None if word[1] == "off" else int(word[1])
            else:
                print("commands: network, silent, cms N|off, quit")
                continue
            print(f"network={'down' if sim.no_network else 'up'} silent={sim.silent} "
                  f"cms_error={sim.cms_error} sent={len(sim.sent)}", flush=True)
        if not sys.stdin.isatty():
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
