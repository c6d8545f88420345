"""Slow work runs off the UI thread; speech never blocks; ui/ imports no drivers."""
import ast
import threading
from pathlib import Path

from PyQt5.QtCore import QTimer

from ui.ops import OpRunner
from ui.speech import Speaker


def test_work_runs_on_a_worker_and_answers_on_the_ui_thread(qtbot):
    ops = OpRunner()
    seen = {}
    ops.run(lambda: threading.current_thread().name, on_success=lambda name: seen.update(
        worker=name, answered_on=threading.current_thread()))
    qtbot.waitUntil(lambda: "worker" in seen)
    assert seen["worker"].startswith("ui-op")
    assert seen["answered_on"] is threading.main_thread()
    ops.close()


def test_failure_goes_to_on_failure(qtbot):
    ops = OpRunner()
    got = []

    def boom():
        raise ValueError("no paper")
    ops.run(boom, on_success=lambda _: got.append("ok"), on_failure=got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert isinstance(got[0], ValueError) and str(got[0]) == "no paper"
    ops.close()


def test_screen_keeps_painting_while_work_waits(qtbot):
    ops = OpRunner()
    release = threading.Event()
    done, ticks = [], []
    ops.run(release.wait, on_success=done.append)
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5)      # the event loop runs meanwhile
    assert not done and ops.pending == 1
    release.set()
    qtbot.waitUntil(lambda: bool(done))
    timer.stop()
    ops.close()


def test_cancel_all_drops_late_answers(qtbot):
    ops = OpRunner()
    release = threading.Event()
    got = []
    ops.run(release.wait, on_success=got.append, on_failure=got.append)
    ops.cancel_all()                                # Home pressed, idle reset...
    release.set()
    qtbot.waitUntil(lambda: ops.pending == 0)
    assert got == []
    ops.run(lambda: "next citizen", on_success=got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert got == ["next citizen"]
    ops.close()
    ops.close()                                     # idempotent


def test_speech_is_off_by_default_and_never_waits():
    quiet = Speaker()
    quiet.say("Xin chào")
    assert quiet.spoken == [] and not quiet.enabled
    voice = Speaker(enabled=True)
    if not voice.available:
        assert not voice.enabled                    # no espeak-ng: silently off
        return
    voice.say("Xin chào. Chạm Nộp hồ sơ để bắt đầu.", "vi")
    first = voice._proc
    assert first is not None and first.poll() is None   # still speaking: say() returned
    voice.say("Mời đặt hồ sơ vào ngăn.", "vi")          # a new sentence stops the old one
    assert first.poll() is not None
    voice.close()
    assert voice.spoken[-1].startswith("Mời")


DRIVER_LIBS = ("serial", "gpiozero", "escpos", "requests")
# the citizen screens also stay away from the HAL, the city client and the simulators
CITIZEN_FORBIDDEN = DRIVER_LIBS + ("hardware", "sync", "sim")
NOT_CITIZEN = ("staff", "technician", "remote.py")


def imported_modules(path):
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_ui_imports_no_driver_or_network_library():
    ui = Path(__file__).resolve().parents[2] / "ui"
    offenders = []
    for path in ui.rglob("*.py"):
        rel = path.relative_to(ui)
        citizen = not any(part in NOT_CITIZEN for part in rel.parts)
        forbidden = CITIZEN_FORBIDDEN if citizen else DRIVER_LIBS
        offenders += [f"{rel}: {name}" for name in imported_modules(path)
                      if name.split(".")[0] in forbidden]
    assert not offenders
