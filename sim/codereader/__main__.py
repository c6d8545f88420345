"""python -m sim.codereader --link PATH: each line typed on stdin is "scanned" as a code."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from . import CodeReaderSim


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.codereader", description=__doc__)
    ap.add_argument("--link", required=True, help="symlink the kiosk opens")
    args = ap.parse_args(argv)
    # SIGTERM closes the link like Ctrl-C, so the symlink does not outlive the simulator
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with CodeReaderSim(args.link) as sim:
        print(f"code reader on {sim.path}; type a code and Enter", flush=True)
        for line in sys.stdin:
            if line.strip():
                sim.show(line.rstrip("\r\n"))
        if not sys.stdin.isatty():       # started in the background: serve until killed
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
