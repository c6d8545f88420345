"""Fuzzing settings and the count of inputs tried per parser.

Each fuzz test counts the inputs it fed to its parser and records the count; the run
ends with a table of them (also with ``-n 2``: the counts travel in the test reports).
``FUZZ_EXAMPLES`` scales every budget (e.g. ``FUZZ_EXAMPLES=20000`` for a long run);
``FUZZ_RANDOM=1`` draws new inputs each run instead of the same reproducible ones.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("FUZZ_EXAMPLES", "250")) / 1000


def fuzz_settings(examples: int, **kw) -> settings:
    return settings(max_examples=max(10, int(examples * SCALE)), deadline=None,
                    derandomize=os.environ.get("FUZZ_RANDOM") != "1", database=None,
                    suppress_health_check=list(HealthCheck), **kw)


class Tried:
    def __init__(self):
        self.counts: dict[str, int] = {}

    def __call__(self, parser: str) -> None:
        self.counts[parser] = self.counts.get(parser, 0) + 1


@pytest.fixture
def tried(record_property):
    t = Tried()
    yield t
    for parser, n in t.counts.items():
        record_property(f"fuzz:{parser}", n)
        print(f"fuzz: {parser}: {n} inputs")


def pytest_terminal_summary(terminalreporter):
    counts: dict[str, int] = {}
    reports = [r for group in terminalreporter.stats.values() for r in group
               if getattr(r, "when", None) == "teardown"]    # recorded at fixture teardown
    for report in reports:
        for name, value in getattr(report, "user_properties", []):
            if isinstance(name, str) and name.startswith("fuzz:"):
                counts[name[5:]] = counts.get(name[5:], 0) + int(value)
    if counts:
        terminalreporter.write_sep("-", "fuzz inputs tried per parser")
        width = max(map(len, counts))
        for parser in sorted(counts):
            terminalreporter.write_line(f"{parser:<{width}}  {counts[parser]:>7}")


def pytest_collection_modifyitems(items):
    """Long runs (FUZZ_EXAMPLES above the default) get a time limit that grows with them."""
    for item in items:
        if "tests/fuzz" in str(item.fspath) and SCALE > 1:
            item.add_marker(pytest.mark.timeout(int(300 * SCALE)))
