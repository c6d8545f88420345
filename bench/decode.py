"""QR/CCCD decode: one 1280x720 camera frame through ``hardware.codereader.decode_image``
and ``kiosk.cccd.parse_cccd``, against ``zxingcpp.read_barcodes`` alone on the same frame."""
from __future__ import annotations

import time

import zxingcpp

from bench.frames import CCCD_TEXT, camera_frame
from bench.stats import Result, main_for, median, p99
from hardware.codereader.image_reader import decode_image
from kiosk.cccd import parse_cccd


def run(quick: bool = False) -> list[Result]:
    n = 40 if quick else 200
    frame = camera_frame()
    texts = decode_image(frame)
    if texts != [CCCD_TEXT]:
        raise RuntimeError(f"the benchmark frame did not decode to the card's text: {texts!r}")
    parse_cccd(texts[0])
    ours, bare = [], []
    for i in range(n):                       # interleaved, so drift hits both alike
        t0 = time.perf_counter()
        zxingcpp.read_barcodes(frame)
        t1 = time.perf_counter()
        card = parse_cccd(decode_image(frame)[0])
        t2 = time.perf_counter()
        bare.append((t1 - t0) * 1000.0)
        ours.append((t2 - t1) * 1000.0)
    assert card.id == "079190001234"
    return [Result("QR/CCCD decode, 1280x720 frame", median(ours), median(bare), "ms",
                   how=f"median of {n}: decode_image + parse_cccd",
                   limit_how="median of zxingcpp.read_barcodes alone on the same frame",
                   notes=[f"p99 {p99(ours):.1f} ms vs bare p99 {p99(bare):.1f} ms"],
                   extra={"p99_ms": p99(ours), "limit_p99_ms": p99(bare)})]


if __name__ == "__main__":
    main_for(run)
