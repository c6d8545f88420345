"""A kiosk process that only makes e-copies: used by the power-cut tests.

``python -m tests.digitise.ecopy_child FOLDER submit PAGE.png ...`` queues one dossier
and works the queue; ``... FOLDER run`` only works the queue (the restart after a cut).
The kiosk in FOLDER is enrolled already: signing needs no city. Prints one JSON line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image

from kiosk.clock import SystemClock
from kiosk.digitise.jobs import EcopyQueue
from kiosk.digitise.pipeline import Digitiser, Settings
from kiosk.store import Store
from sync.schema import ensure_schema
from sync.uploads import UploadQueue
from tests.digitise.conftest import META, credentials


def main(argv: list[str]) -> int:
    folder, mode = Path(argv[0]), argv[1]
    store = Store.open(folder / "kiosk.db")
    ensure_schema(store)
    uploads = UploadQueue(store, None, SystemClock(), folder / "uploads")
    digitiser = Digitiser(Settings(), credentials(folder / "kiosk"), isolated=True)
    queue = EcopyQueue(folder / "jobs", digitiser, uploads)
    if mode == "submit":
        pages = [Image.open(p) for p in argv[2:]]
        queue.submit(META["dossier_code"], pages, digitiser.check(pages), META)
        print(json.dumps({"submitted": True}), flush=True)
    done = queue.run_once()
    print(json.dumps({"done": done, "pending": len(queue.pending())}), flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
