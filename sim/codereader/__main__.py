"""python -m sim.codereader --link PATH: each line typed on stdin is "scanned" as a code."""
from __future__ import annotations

import sys

from sim import standalone
from sim.codereader import CodeReaderSim


def _handle(sim: CodeReaderSim, line: str) -> None:
    if line.strip():
        sim.show(line.rstrip("\r\n"))


def main(argv: list[str] | None = None) -> int:
    ap = standalone.parser("sim.codereader", __doc__)
    standalone.add_path(ap, "--link", "dev/codereader", "symlink the kiosk opens")
    args = standalone.parse(ap, argv)
    with CodeReaderSim(args.link) as sim:
        return standalone.serve(f"code reader on {sim.path}; type a code and Enter",
                                lambda line: _handle(sim, line))


if __name__ == "__main__":
    sys.exit(main())
