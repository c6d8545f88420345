"""A strict reader of systemd unit files (systemd.syntax(7)): sections, repeated keys,
backslash continuations; anything else is an error with its line number."""
from __future__ import annotations

import re

_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*)$")


class UnitSyntaxError(ValueError):
    pass


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        no = i + 1
        i += 1
        if not line or line[0] in "#;":
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise UnitSyntaxError(f"line {no}: bad section header {line!r}")
            current = line[1:-1]
            if current in sections:
                raise UnitSyntaxError(f"line {no}: section [{current}] appears twice")
            sections[current] = {}
            continue
        m = _KEY.match(line)
        if not m:
            raise UnitSyntaxError(f"line {no}: not 'Key=value': {line!r}")
        if current is None:
            raise UnitSyntaxError(f"line {no}: key outside any section")
        sections[current].setdefault(m.group(1), []).append(m.group(2).strip())
    return sections


def words(values: list[str]) -> list[str]:
    """All space-separated words of a repeated list setting."""
    return [w for v in values for w in v.split()]
