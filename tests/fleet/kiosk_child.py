"""A kiosk process (services, devices, sync, command poller; no screen) for the power
cut tests: ``python -m tests.fleet.kiosk_child PROFILE.json`` prints "ready" once
started and runs until it is killed. ``KIOSK_CRASHPOINT`` makes it die at that point."""
from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    from kiosk.app import build_services
    from kiosk.config import parse_config
    data = json.loads(open(argv[0], encoding="utf-8").read())
    cfg = parse_config(data["profile"], "child.toml", data["base_dir"])
    services = build_services(cfg, create_secrets=True).start()
    code_file = os.environ.get("FLEET_TEST_HELP_CODE_FILE")
    if code_file:          # the test plays the citizen at the help screen
        with open(code_file, "w") as f:
            f.write(services.help_desk.open_screen())
    print("ready", flush=True)
    try:
        while True:
            time.sleep(0.2)
    finally:
        services.close()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
