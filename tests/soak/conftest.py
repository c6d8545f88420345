"""The soak tests print their day-by-day table at the end of the run."""
from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    for group in terminalreporter.stats.values():
        for report in group:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == "soak_table":
                    terminalreporter.write_sep("-", f"soak: {report.nodeid}")
                    for line in str(value).splitlines():
                        terminalreporter.write_line(line)


def pytest_collection_modifyitems(config, items):
    """Soak tests run only when asked for (``-m soak``, as ``make soak`` does); a plain
    ``pytest`` run leaves them out even without ``-m "not soak"``."""
    if "soak" in (config.option.markexpr or ""):
        return
    soak = [i for i in items if i.get_closest_marker("soak")]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [i for i in items if not i.get_closest_marker("soak")]
