"""Code readers: serial line readers and camera frames decoded with zxing-cpp."""
from __future__ import annotations

import logging

from .image_reader import FrameCodeReader, ImageUnreadable, camera_frames, decode_image
from .serial_reader import SerialCodeReader

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["SerialCodeReader", "FrameCodeReader", "decode_image", "ImageUnreadable",
           "build_code_reader"]


def build_code_reader(cfg):
    """The code reader of a kiosk profile, or None when ``[code_reader] enabled = false``."""
    c = cfg.code_reader
    if not c.enabled:
        return None
    if c.driver == "camera":
        grab, release = camera_frames(c.camera)
        return FrameCodeReader(grab, on_close=release)
    return SerialCodeReader(str(cfg.path(c.port)), c.baud)
