"""What every ``python -m sim.<device>`` shares, written once: the command line's
common options (``--run``, ``-v``), paths that default into the run folder, logging,
and serving until SIGTERM or Ctrl-C while each line typed on standard input acts as
the person at the device.

    def main(argv=None):
        ap = standalone.parser("sim.modem", __doc__)
        standalone.add_path(ap, "--link", "dev/modem", "symlink the kiosk opens")
        args = standalone.parse(ap, argv)          # logging set, paths resolved
        with ModemSim(args.link, args.inbox) as sim:
            return standalone.serve(f"modem on {sim.path}", lambda line: ...)

SIGTERM stops as cleanly as Ctrl-C, so the device's symlink never outlives the
simulator. End of input at a terminal (Ctrl-D) stops too; when standard input is not
a terminal (started in the background), the simulator serves on until it is stopped.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Callable

from sim.launch.runfolder import DEFAULT_RUN

FORMAT = "%(asctime)s %(name)s %(message)s"


class Stop(Exception):
    """Raised by a line handler (``quit``) to stop the simulator."""


def parser(module: str, doc: str, *, run: bool = True) -> argparse.ArgumentParser:
    """An argument parser named ``python -m <module>``, described by the first line of
    the module's docstring, with ``-v`` and (``run=True``) ``--run``."""
    ap = argparse.ArgumentParser(prog=f"python -m {module}",
                                 description=doc.strip().split("\n")[0])
    if run:
        ap.add_argument("--run", default=str(DEFAULT_RUN), metavar="DIR",
                        help="run folder whose layout gives the default paths "
                             "(default: var/sim in the source tree, as kiosk-sim)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every detail")
    ap.set_defaults(_run_paths={})
    return ap


def add_path(ap: argparse.ArgumentParser, flag: str, in_run: str, help: str) -> None:
    """A path option that defaults to ``<run>/<in_run>`` (the launcher's layout)."""
    ap.add_argument(flag, default=None, help=f"{help} (default: <run>/{in_run})")
    ap.get_default("_run_paths")[flag.lstrip("-").replace("-", "_")] = in_run


def parse(ap: argparse.ArgumentParser, argv: list[str] | None = None, *,
          level: int = logging.WARNING) -> argparse.Namespace:
    """Parse, fill the paths left out from the run folder, and set up logging."""
    args = ap.parse_args(argv)
    for name, in_run in args._run_paths.items():
        if getattr(args, name) is None:
            setattr(args, name, str(Path(args.run) / in_run))
    del args._run_paths
    logging.basicConfig(level=logging.DEBUG if args.verbose else level, format=FORMAT)
    return args


def serve(ready: str, handle: Callable[[str], str | None] | None = None) -> int:
    """Print ``ready``, then serve until SIGTERM, Ctrl-C or ``handle`` raising ``Stop``.
    ``handle`` gets each line typed on standard input and returns what to answer."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(ready, flush=True)
    if handle is not None:
        threading.Thread(target=_read_lines, args=(handle, stop), name="stdin",
                         daemon=True).start()
    stop.wait()
    return 0


def _read_lines(handle: Callable[[str], str | None], stop: threading.Event) -> None:
    for line in sys.stdin:
        try:
            answer = handle(line)
        except Stop:
            stop.set()
            return
        except Exception as exc:     # a mistyped command must not end the simulator
            answer = f"error: {exc}"
        if answer:
            print(answer, flush=True)
    if sys.stdin.isatty():        # Ctrl-D at a terminal
        stop.set()
