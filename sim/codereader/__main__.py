"""python -m sim.codereader --link PATH: each line typed on stdin is "scanned" as a code."""
from __future__ import annotations

import argparse
import sys

from . import CodeReaderSim


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.codereader", description=__doc__)
    ap.add_argument("--link", required=True, help="symlink the kiosk opens")
    args = ap.parse_args(argv)
    with CodeReaderSim(args.link) as sim:
        print(f"code reader on {sim.path}; type a code and Enter", flush=True)
        for line in sys.stdin:
            if line.strip():
                sim.show(line.rstrip("\r\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
