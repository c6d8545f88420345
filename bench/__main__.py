"""``python -m bench [--quick] [name ...]``: run every benchmark, each in its own process,
and write bench/results.md (machine, table of measured / limit / ratio, notes, findings).

``make bench`` runs this with QT_QPA_PLATFORM=offscreen. ``--quick`` runs fewer
repetitions (a smoke test of the benchmarks, not figures to quote). ``--findings`` only
puts the current bench/findings.md under the figures of the last run.
"""
from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.stats import BENCH_DIR, CACHE_DIR, RESULT_TAG, fmt

ROOT = BENCH_DIR.parent
# In the order of the table.
BENCHMARKS = ["cold_start", "touch_paint", "otp_to_unlock", "lock_roundtrip", "receipt",
              "decode", "scan_pdf", "digitise", "outbox_drain", "phone_lookup", "memory", "fleet",
              "appointment", "report_month"]
TIMEOUT_S = 600


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _disk(folder: Path) -> str:
    """Device, filesystem and rotational flag of the folder the databases live on."""
    try:
        out = subprocess.run(["df", "-T", str(folder)], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[1].split()
        dev, fstype, size_kb = out[0], out[1], int(out[2])
        name = Path(dev).name
        rota = Path(f"/sys/block/{name}/queue/rotational")
        kind = ""
        if rota.exists():
            kind = ", reports rotational" if rota.read_text().strip() == "1" else \
                ", reports non-rotational (SSD)"
        virt = " (virtio disk of a virtual machine)" if name.startswith("vd") else ""
        return f"{dev} {fstype}, {size_kb / 1024 ** 2:.0f} GB{virt}{kind}"
    except Exception as exc:   # noqa: BLE001 - a description, never fatal
        return f"unknown ({exc})"


def _mem_total() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 ** 2:.1f} GB"
    return "unknown"


def machine() -> dict:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory": _mem_total(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(), "disk": _disk(CACHE_DIR),
        "load": Path("/proc/loadavg").read_text().split()[:3],
        "qt_platform": os.environ.get("QT_QPA_PLATFORM", ""),
    }


def run_one(name: str, quick: bool) -> tuple[list[dict], str, float]:
    """Run ``bench.<name>`` in a new process; its results, its error text, its seconds."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # python-escpos otherwise leaves a temp folder per process (see findings.md); the
    # cold-start benchmark takes this out again for the starts it measures as shipped.
    (CACHE_DIR / "escpos").mkdir(parents=True, exist_ok=True)
    env.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(CACHE_DIR / "escpos"))
    cmd = [sys.executable, "-m", f"bench.{name}"] + (["--quick"] if quick else [])
    t0 = time.monotonic()
    results, error = [], ""
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            error = f"did not finish in {TIMEOUT_S} s"
        for line in out.splitlines():
            if line.startswith(RESULT_TAG):
                results.append(json.loads(line[len(RESULT_TAG):]))
            else:
                print("  " + line, flush=True)
        if proc.returncode and not error:
            tail = [ln for ln in err.strip().splitlines() if ln.strip()][-6:]
            error = f"exit {proc.returncode}: " + " / ".join(tail)
    except OSError as exc:
        error = str(exc)
    return results, error, time.monotonic() - t0


def _cell(value, unit) -> str:
    return "—" if value is None else f"{fmt(value)} {unit}"


def write_results(path: Path, info: dict, rows: list[tuple[str, list[dict], str, float]],
                  quick: bool, started: datetime, load_after: list[str]) -> None:
    lines = ["# Benchmarks against the physical limits", "",
             f"Written by `make bench` (`python -m bench{' --quick' if quick else ''}`) on "
             f"{started:%Y-%m-%d %H:%M} UTC. Each benchmark ran in its own process and "
             "measured its limit in the same run; the ratio is measured / limit of a time "
             "(or a size), so 1.00 means the software adds nothing to the physics. "
             "Method: docs/benchmarks.md.", ""]
    if quick:
        lines += ["**Quick run: few repetitions, not figures to quote.**", ""]
    lines += ["## Machine", "",
              f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory']}",
              f"- Python {info['python']}, SQLite {info['sqlite']}, Linux {info['kernel']}",
              f"- Disk (databases, fsync): {info['disk']}",
              f"- Load average at start {' '.join(info['load'])}, at end "
              f"{' '.join(load_after)} (the machine was shared; limits measured in the "
              "same run absorb most of that)",
              f"- Qt platform: {info['qt_platform'] or 'default'}", "",
              "## Results", "",
              "| what | measured | limit | ratio | measured as | limit as |",
              "|---|---|---|---|---|---|"]
    for name, results, error, _secs in rows:
        if error and not results:
            lines.append(f"| {name} | failed | | | {error.replace('|', '/')} | |")
        for r in results:
            ratio = "—" if r.get("ratio") is None else f"{r['ratio']:.2f}"
            lines.append(f"| {r['what']} | {_cell(r['measured'], r['unit'])} | "
                         f"{_cell(r['limit'], r['unit'])} | {ratio} | {r.get('how', '')} | "
                         f"{r.get('limit_how', '')} |")
    lines += ["", "## Notes per benchmark", ""]
    for name, results, error, secs in rows:
        lines.append(f"### {name} ({secs:.0f} s)")
        lines.append("")
        if error:
            lines.append(f"- **failed**: {error}")
        for r in results:
            for note in r.get("notes", []):
                lines.append(f"- {r['what']}: {note}")
        lines.append("")
    findings = BENCH_DIR / "findings.md"
    if findings.exists():
        lines += [findings.read_text(encoding="utf-8").rstrip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def refresh_findings(path: Path) -> None:
    """Put the current bench/findings.md under the figures already in ``path``."""
    text = path.read_text(encoding="utf-8")
    head = text.split("## Findings", 1)[0].rstrip()
    findings = (BENCH_DIR / "findings.md").read_text(encoding="utf-8").rstrip()
    path.write_text(head + "\n\n" + findings + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--findings" in args:           # findings edited after a run: no need to run again
        refresh_findings(BENCH_DIR / "results.md")
        print(f"findings refreshed in {BENCH_DIR / 'results.md'}")
        return 0
    quick = "--quick" in args
    names = [a for a in args if not a.startswith("-")] or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {BENCHMARKS}", file=sys.stderr)
        return 2
    started = datetime.now(timezone.utc)
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
          f"SQLite {info['sqlite']}, disk {info['disk']}", flush=True)
    rows = []
    t0 = time.monotonic()
    for name in names:
        print(f"== {name}", flush=True)
        results, error, secs = run_one(name, quick)
        if error:
            print(f"  FAILED: {error}", flush=True)
        print(f"  ({secs:.0f} s)", flush=True)
        rows.append((name, results, error, secs))
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    out = BENCH_DIR / "results.md"
    if names != BENCHMARKS:
        out = CACHE_DIR / "results-partial.md"
    write_results(out, info, rows, quick, started, load_after)
    print(f"wrote {out} in {time.monotonic() - t0:.0f} s", flush=True)
    return 1 if any(err for _, _, err, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
