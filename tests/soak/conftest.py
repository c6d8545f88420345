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
