"""Codes from pictures: a still image (``kiosk hw decode``) or camera frames, via zxing-cpp."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable

from PIL import Image

from hardware.ports import DeviceError, DeviceHealth, DeviceStatus

log = logging.getLogger(__name__)


class ImageUnreadable(DeviceError):
    pass


def decode_image(source) -> list[str]:
    """Every code zxing-cpp finds in a PIL image or an image file, top to bottom."""
    import zxingcpp

    if isinstance(source, (str, Path)):
        try:
            with Image.open(source) as im:
                image = im.convert("L")
        except (OSError, ValueError) as exc:
            raise ImageUnreadable(f"cannot read image {source}: {exc}",
                                  "give a PNG or JPEG file") from None
    else:
        image = source.convert("L") if source.mode not in ("L", "RGB") else source
    found = zxingcpp.read_barcodes(image)
    found = sorted(found, key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    return [b.text for b in found if b.valid and b.text]


class FrameCodeReader:
    """``hardware.ports.CodeReader`` over any frame source (a camera, a folder of shots).

    ``grab()`` returns a PIL image or None. The same code seen in consecutive frames is
    reported once until it has been out of sight for ``repeat_s`` seconds.
    """

    def __init__(self, grab: Callable[[], Image.Image | None], *, interval: float = 0.15,
                 repeat_s: float = 2.0, name: str = "code_reader", on_close=None):
        self._grab = grab
        self.interval = interval
        self.repeat_s = repeat_s
        self.name = name
        self._on_close = on_close
        self._subscribers: list[Callable[[str], None]] = []
        self._seen: dict[str, float] = {}
        self._last_error = ""
        self._frames = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="code-camera", daemon=True)
        self._thread.start()

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._subscribers.append(callback)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                frame = self._grab()
            except Exception as exc:   # noqa: BLE001 - camera backends raise anything
                self._last_error = f"camera frame failed: {exc}"
                continue
            if frame is None:
                continue
            self._frames += 1
            self._last_error = ""
            now = time.monotonic()
            for text in decode_image(frame):
                last = self._seen.get(text)
                self._seen[text] = now
                if last is not None and now - last < self.repeat_s:
                    continue
                for callback in list(self._subscribers):
                    try:
                        callback(text)
                    except Exception:   # noqa: BLE001
                        log.exception("code reader subscriber failed")

    def health(self) -> DeviceHealth:
        if self._last_error:
            return DeviceHealth(self.name, DeviceStatus.OFFLINE, self._last_error,
                                "check the camera cable")
        return DeviceHealth(self.name, DeviceStatus.ONLINE, "camera running",
                            extra={"frames": self._frames})

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(timeout=2)
        if self._on_close:
            self._on_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def camera_frames(index: int):
    """(grab, release) for a V4L2 camera through OpenCV, which is optional."""
    try:
        import cv2
    except ImportError:
        raise DeviceError("the camera code reader needs OpenCV, which is not installed",
                          "pip install opencv-python-headless, or set [code_reader] "
                          "driver = \"serial\"") from None
    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        raise DeviceError(f"camera {index} cannot be opened",
                          "check the camera cable and [code_reader] camera")

    def grab():
        ok, frame = cap.read()
        if not ok:
            raise DeviceError("camera gave no frame")
        return Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))

    return grab, cap.release
