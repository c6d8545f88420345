"""python -m sim.modem --link PATH --inbox FILE: a GSM modem on a pseudo-terminal.

Type ``network`` to toggle the network, ``silent`` to toggle answering, ``cms N`` to
refuse every SMS with +CMS ERROR N (``cms off`` to stop), ``quit`` or Ctrl-D to stop.
"""
from __future__ import annotations

import sys

from sim import standalone
from sim.modem.device import ModemSim


def _handle(sim: ModemSim, line: str) -> str | None:
    word = line.split()
    if not word:
        return None
    if word[0] in ("quit", "exit"):
        raise standalone.Stop
    if word[0] == "network":
        sim.no_network = not sim.no_network
    elif word[0] == "silent":
        sim.silent = not sim.silent
    elif word[0] == "cms" and len(word) == 2 and (word[1] == "off" or word[1].isdigit()):
        sim.cms_error = None if word[1] == "off" else int(word[1])
    else:
        return "commands: network, silent, cms N|off, quit"
    return (f"network={'down' if sim.no_network else 'up'} silent={sim.silent} "
            f"cms_error={sim.cms_error} sent={len(sim.sent)}")


def main(argv: list[str] | None = None) -> int:
    ap = standalone.parser("sim.modem", __doc__)
    standalone.add_path(ap, "--link", "dev/modem", "symlink the kiosk opens")
    standalone.add_path(ap, "--inbox", "modem-inbox.jsonl", "JSON-lines file of every SMS sent")
    args = standalone.parse(ap, argv)
    with ModemSim(args.link, args.inbox) as sim:
        return standalone.serve(f"modem on {sim.path}; SMS into {args.inbox}",
                                lambda line: _handle(sim, line))


if __name__ == "__main__":
    sys.exit(main())
