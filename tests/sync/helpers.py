"""Shared helpers of the sync tests."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sync.conftest import PHONE

ROOT = Path(__file__).resolve().parents[2]


def fill_outbox(ledger, n: int, dossiers: int = 500, *, with_phone_every: int = 10) -> None:
    """``n`` city events over ``dossiers`` dossiers, some carrying a plaintext phone."""
    with ledger.transaction():
        for i in range(n):
            extra = {"phone": PHONE} if with_phone_every and i % with_phone_every == 0 else None
            ledger.event("dossier.note", actor="test", subject=f"HS-{i % dossiers:04d}",
                         reason=f"step {i // dossiers}", dossier_code=f"HS-{i % dossiers:04d}",
                         data={"i": i}, city_extra=extra)


def outbox_keys(store) -> list[tuple[int, str, str]]:
    return [(r["id"], r["key"], r["dossier_code"])
            for r in store.query("SELECT id, key, dossier_code FROM outbox ORDER BY id")]


def assert_exactly_once_in_order(city, store, kiosk: str) -> None:
    """Every kiosk key is on the server once, and each dossier's events arrived in the
    order the kiosk wrote them."""
    server = city.db.query("SELECT key, dossier_code, kiosk_seq FROM events "
                           "WHERE kiosk_id = ? ORDER BY seq", (kiosk,))
    mine = outbox_keys(store)
    server_keys = [r["key"] for r in server]
    assert len(server_keys) == len(set(server_keys))
    assert set(server_keys) == {k for _, k, _ in mine}
    last: dict[str, int] = {}
    for r in server:
        if r["dossier_code"]:
            assert r["kiosk_seq"] > last.get(r["dossier_code"], -1), r
            last[r["dossier_code"]] = r["kiosk_seq"]
    assert city.stats()["order_violations"] == 0


def child_cmd(db, url, token, kiosk, batch) -> list[str]:
    return [sys.executable, "-m", "tests.sync.worker_child", str(db), url, token, kiosk,
            str(batch)]


def child_env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run_child(db, url, token, kiosk, batch, timeout=240, **env) -> subprocess.CompletedProcess:
    return subprocess.run(child_cmd(db, url, token, kiosk, batch), cwd=ROOT,
                          env=child_env(**env), capture_output=True, text=True,
                          timeout=timeout)
