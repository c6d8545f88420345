"""What each city command does. A handler checks its arguments and the kiosk's state,
then either returns ``(result, change)`` where ``change()`` is a state change that the
runner commits in the same transaction as the acknowledgement, or does its work (a door,
the network, a file) and returns ``(result, None)``. ``Refused`` says why not."""
from __future__ import annotations

import gzip
import re
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.commands.envelope import Refused
from kiosk.commands.help import HelpRefused
from kiosk.models import TRAY_AT_REST, TRAY_HOLDS, DossierState as D, TrayState as T

TRAY_ID = r"^[A-Z][0-9]{2}$"
ACTOR = "city"


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class TrayArgs(_Args):
    tray: Annotated[str, Field(pattern=TRAY_ID)]


class HelpArgs(TrayArgs):
    help_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class NoArgs(_Args):
    pass


class ConfigArgs(_Args):
    key: str
    value: object


class LogArgs(_Args):
    hours: Annotated[int, Field(ge=1, le=72)]


def parse_args(model: type[_Args], args: dict) -> _Args:
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "args"
        raise Refused("malformed", f"{where}: {first['msg']}") from None


def _tray(ctx, tray_id: str) -> dict:
    try:
        return ctx.ledger.tray(tray_id)
    except KeyError:
        raise Refused("no_such_tray", f"this kiosk has no tray {tray_id}") from None


# ---- trays ------------------------------------------------------------------------------
def out_of_service(ctx, cmd):
    a = parse_args(TrayArgs, cmd.args)
    state = T(_tray(ctx, a.tray)["state"])
    if state == T.OUT_OF_SERVICE:
        return {"tray": a.tray, "state": state.value, "already": True}, None
    if state not in TRAY_AT_REST:
        raise Refused("tray_busy" if state in (T.RESERVED, T.UNLOCKING, T.OPEN)
                      else "tray_needs_technician",
                      f"tray {a.tray} is {state.value}; try again when it is at rest"
                      if state in (T.RESERVED, T.UNLOCKING, T.OPEN) else
                      f"tray {a.tray} is {state.value}: a technician must check it first")

    def change():
        now = T(ctx.ledger.tray(a.tray)["state"])     # again, inside the transaction
        if now not in TRAY_AT_REST:
            raise Refused("tray_busy", f"tray {a.tray} became {now.value} meanwhile")
        ctx.ledger.move_tray(a.tray, T.OUT_OF_SERVICE, actor=ACTOR,
                             reason=f"out of service by city command {cmd.id}")
    return {"tray": a.tray, "state": T.OUT_OF_SERVICE.value}, change


def content_state(ctx, row: dict) -> T:
    """What the tray holds, from the record: EMPTY, or the state its dossier means."""
    code = row.get("dossier_code")
    if not code:
        return T.EMPTY
    d = ctx.ledger.dossier(code)
    for tray_state, dossier_states in TRAY_HOLDS.items():
        if d is not None and d["state"] in {s.value for s in dossier_states} \
                and d.get("tray_id") in (None, row["id"]):
            return tray_state
    raise Refused("content_unclear", f"tray {row['id']} is on record with dossier {code} "
                  f"in state {d['state'] if d else 'unknown'}; a technician must check it")


def in_service(ctx, cmd):
    a = parse_args(TrayArgs, cmd.args)
    row = _tray(ctx, a.tray)
    if row["state"] != T.OUT_OF_SERVICE.value:
        raise Refused("not_out_of_service", f"tray {a.tray} is {row['state']}, not "
                      "OUT_OF_SERVICE")
    target = content_state(ctx, row)
    reading = ctx.doors.reading(a.tray) if ctx.doors is not None else None
    door = getattr(getattr(reading, "door", None), "value", None)
    if door == "open":
        raise Refused("door_open", f"tray {a.tray}'s door is open; it must be shut first")

    def change():
        if ctx.ledger.tray(a.tray)["state"] != T.OUT_OF_SERVICE.value:
            raise Refused("not_out_of_service", f"tray {a.tray} changed meanwhile")
        ctx.ledger.move_tray(a.tray, target, actor=ACTOR, note=None,
                             reason=f"back in service by city command {cmd.id}; holds "
                                    f"{'nothing' if target == T.EMPTY else 'its dossier'}")
    return {"tray": a.tray, "state": target.value}, change


def open_for_help(ctx, cmd):
    """Open one tray for the citizen at the help screen: the code on the screen, a tray
    that holds a result (or an expired one) on record, and the help screen still up."""
    a = parse_args(HelpArgs, cmd.args)
    desk = ctx.help_desk
    if desk is None or ctx.doors is None:
        raise Refused("help_screen_closed", "this kiosk has no help screen or no doors")
    try:
        desk.redeem(a.help_code, consume=False)
    except HelpRefused as exc:
        raise Refused(exc.reason, exc.message) from None
    try:
        row = ctx.ledger.tray(a.tray)
    except KeyError:
        raise Refused("wrong_tray", f"this kiosk has no tray {a.tray}") from None
    if row["state"] == T.EMPTY.value or (row["state"] in (T.OCCUPIED_RESULT.value,
                                                           T.EXPIRED.value)
                                         and not row.get("dossier_code")):
        raise Refused("tray_empty", f"tray {a.tray} holds no dossier on record")
    if row["state"] not in (T.OCCUPIED_RESULT.value, T.EXPIRED.value):
        raise Refused("wrong_tray", f"tray {a.tray} is {row['state']}: it holds no result "
                      "for a citizen to take")
    d = ctx.ledger.dossier(row["dossier_code"])
    if d is None or d.get("tray_id") != a.tray or \
            d["state"] not in (D.RESULT_LOADED.value, D.EXPIRED.value):
        raise Refused("wrong_tray", f"tray {a.tray}'s record does not show a result in it")
    try:
        desk.redeem(a.help_code)
    except HelpRefused as exc:
        raise Refused(exc.reason, exc.message) from None
    txn = f"help-{cmd.id}"
    ctx.watch_help(a.tray, row["dossier_code"], txn)
    if not ctx.doors.open(a.tray, actor="city:hotline", txn=txn,
                          reason=f"hotline help, city command {cmd.id}"):
        ctx.unwatch_help(a.tray)
        raise Refused("door_not_opened", f"tray {a.tray} did not open; a technician is "
                      "told by the kiosk's own alert")
    desk.opened(a.tray)
    return {"tray": a.tray, "opened": True}, None


# ---- the rest ---------------------------------------------------------------------------
def catalog_reload(ctx, cmd):
    parse_args(NoArgs, cmd.args)
    if ctx.sync is None:
        raise Refused("unavailable", "no city link on this kiosk")
    from sync.errors import CityError
    try:
        changed = ctx.sync.catalog.refresh()
    except CityError as exc:
        raise Refused("city_unreachable", f"the catalog could not be fetched: {exc}") \
            from None
    return {"changed": bool(changed), "procedures": len(ctx.sync.catalog.procedures())}, None


def config_set(ctx, cmd):
    a = parse_args(ConfigArgs, cmd.args)
    try:
        value = ctx.overrides.validate(a.key, a.value)
    except KeyError as exc:
        raise Refused("not_allowed", str(exc.args[0])) from None
    except (ValueError, ValidationError) as exc:
        raise Refused("malformed", f"{a.key}: {exc}".splitlines()[0]) from None
    ctx.after_commit(lambda: ctx.overrides.changed(a.key, value))
    return {"key": a.key, "value": value}, lambda: ctx.overrides.write(a.key, value)


PHONE_RE = re.compile(r"(?<!\d)(?:\+?84|0)\d{8,10}(?!\d)")
ID_RE = re.compile(r"(?<!\d)\d{9}(?:\d{3})?(?!\d)")
CODE_RE = re.compile(r"(?i)\b(otp|pin|code|mã|token)\b(\W{0,3})\S+")


def scrub_line(line: str) -> str:
    """A log line without phone numbers, ID numbers or secrets typed after 'OTP'."""
    line = PHONE_RE.sub("<phone>", line)
    line = ID_RE.sub("<id>", line)
    return CODE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}<hidden>", line)


def logs_collect(ctx, cmd):
    a = parse_args(LogArgs, cmd.args)
    since = ctx.clock.now() - timedelta(hours=a.hours)
    stamp = since.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    lines = []
    for path in ctx.log_files():
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        keep = False
        for line in text.splitlines():
            if line[:4].isdigit() and line[4:5] == "-":   # a record; else its traceback
                keep = line[:19] >= stamp
            if keep:
                lines.append(scrub_line(line))
    blob = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"))
    if ctx.sync is None:
        raise Refused("unavailable", "no city link to send the logs over")
    key = f"logs-{re.sub(r'[^A-Za-z0-9_.-]', '_', cmd.id)}"
    ctx.sync.uploads.upload(key, blob, key=key, filename=f"{key}.log.gz")
    return {"upload": key, "lines": len(lines), "bytes": len(blob), "hours": a.hours}, None


def restart(ctx, cmd):
    parse_args(NoArgs, cmd.args)
    if ctx.restart is None or not ctx.can_restart():
        raise Refused("unavailable", "this kiosk process cannot restart itself")
    ctx.after_commit(ctx.restart)
    return {"restarting": True}, None


HANDLERS = {
    "tray.out_of_service": out_of_service,
    "tray.in_service": in_service,
    "tray.open_for_help": open_for_help,
    "catalog.reload": catalog_reload,
    "config.set": config_set,
    "logs.collect": logs_collect,
    "kiosk.restart": restart,
}
