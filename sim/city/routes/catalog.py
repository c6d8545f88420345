"""``GET /catalog``: the procedures, with an ETag so an unchanged catalog costs a 304."""
from __future__ import annotations

import json

from sim.city.routing import Request, Route


def catalog(req: Request):
    version, body = req.sim.catalog_doc()
    etag = f'"{version}"'
    if req.headers.get("If-None-Match") == etag:
        return 304, None, {"ETag": etag}
    return 200, json.loads(body), {"ETag": etag}


ROUTES = [Route("GET", r"/catalog", catalog)]
