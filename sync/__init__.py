"""Talking to the city system: client, outbox worker, results, catalog, uploads, SMS,
payments, heartbeat. ``build_sync(cfg, ledger, store, clock, modem=None)`` wires it."""
from __future__ import annotations


def build_sync(cfg, ledger, store, clock, modem=None, *, health=None, token=None):
    from sync.factory import build_sync as _build
    return _build(cfg, ledger, store, clock, modem, health=health, token=token)
