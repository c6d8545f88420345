"""``/metrics`` over HTTP: prometheus-client's own server on ``[metrics] listen``.

Port 0 takes a free port (the simulator); the address really used is written to
``<data_dir>/metrics.addr`` as ``host:port``, so a scrape configuration or a test can
find it. A port that is taken is reported and the kiosk runs on without metrics.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from prometheus_client import CollectorRegistry, ProcessCollector, start_http_server

from kiosk.metrics.collector import KioskCollector

log = logging.getLogger(__name__)
ADDR_FILE = "metrics.addr"


class MetricsServer:
    def __init__(self, collector: KioskCollector, host: str, port: int,
                 addr_file: str | os.PathLike | None = None):
        self.collector, self.host, self.port = collector, host, port
        self.addr_file = Path(addr_file) if addr_file else None
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(collector)
        self.registry.register(ProcessCollector(registry=None))
        self._server = self._thread = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> "MetricsServer":
        if self._server is None:
            try:
                self._server, self._thread = start_http_server(self.port, addr=self.host,
                                                               registry=self.registry)
            except OSError as exc:
                raise OSError(f"metrics: cannot listen on {self.address}: {exc}; choose "
                              "another port in [metrics] listen (0: any free port)") from exc
            self.port = self._server.server_address[1]
            if self.addr_file is not None:
                tmp = self.addr_file.with_name(self.addr_file.name + ".new")
                tmp.write_text(self.address + "\n")
                os.replace(tmp, self.addr_file)
            log.info("metrics served on http://%s/metrics", self.address)
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            if self.addr_file is not None:
                try:
                    self.addr_file.unlink()
                except FileNotFoundError:
                    pass


def build_metrics(cfg, services) -> MetricsServer | None:
    """The metrics server of a kiosk (not started), or None when ``[metrics] listen`` is
    empty."""
    if not cfg.metrics.listen:
        return None
    try:
        from importlib.metadata import version
        software = version("dossier-kiosk")
    except Exception:
        software = ""
    sync = services.sync
    collector = KioskCollector(
        services.store, services.clock, kiosk_id=cfg.kiosk.id,
        ward_code=str(getattr(cfg.kiosk, "ward_code", "") or ""), version=software,
        data_dir=cfg.data_dir, health=services.device_health,
        sync_status=sync.status if sync is not None else None)
    host, port = cfg.metrics.host_port()
    return MetricsServer(collector, host, port, cfg.data_dir / ADDR_FILE)
