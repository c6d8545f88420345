"""Build a signed command with the city simulator's key, for tests that hand an
envelope to the runner directly."""
import secrets
from datetime import datetime, timedelta, timezone


def envelope(desk, kiosk, command, args, *, lifetime_s=600):
    now = datetime.now(timezone.utc)
    body = {"id": f"t-{secrets.token_hex(6)}", "kiosk": kiosk, "command": command,
            "args": args, "issued_at": now.isoformat(timespec="seconds"),
            "expires_at": (now + timedelta(seconds=lifetime_s)).isoformat(timespec="seconds")}
    body["signature"] = desk.sign(body)
    return body
