"""``python -m sim.powerloss --log-dir DIR MODULE ARGS...``: run ``python -m MODULE ARGS``
with every SQLite file it opens behind the power-loss VFS (the simulator wraps the
kiosk with it; after a ``kill -9`` it calls ``drop_unsynced(DIR)``)."""
from __future__ import annotations

import argparse
import runpy
import sys

from sim.powerloss.vfs import install


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m sim.powerloss")
    p.add_argument("--log-dir", required=True, help="folder of the undo logs")
    p.add_argument("module", help="the program's module, e.g. kiosk.cli")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    install(a.log_dir)                       # before the program opens any database
    sys.argv = [a.module, *a.args]
    runpy.run_module(a.module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
