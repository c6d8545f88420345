"""Can the previous version still read the database after this version's migrations?

A migration that only adds (tables, indexes, triggers, columns, rows) leaves every
table the old code reads as it was: the old version runs on the migrated database, so
the update may be rolled back without touching the data. Anything else (drop, rename,
rewrite) is *breaking*: the update is refused unless the migration registers its
reverse here with ``register_down``, which the rollback runs before reinstalling the
previous version.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ADDITIVE = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+)?INDEX|CREATE\s+TABLE|CREATE\s+(TEMP\s+)?TRIGGER|"
    r"CREATE\s+VIEW|INSERT\s+(OR\s+IGNORE\s+)?INTO|ALTER\s+TABLE\s+\S+\s+ADD\s+(COLUMN\s+)?)",
    re.IGNORECASE)

_downs: dict[str, list[str]] = {}


def register_down(name: str, statements: list[str]) -> None:
    """The statements that undo migration ``name`` (run in one transaction)."""
    _downs[name] = list(statements)


def is_additive(statements: list[str]) -> bool:
    return all(_ADDITIVE.match(sql) for sql in statements)


@dataclass(frozen=True)
class MigrationInfo:
    name: str
    compatible: bool          # the previous version can read the database after it
    down: tuple[str, ...] | None

    @property
    def blocks_rollback(self) -> bool:
        return not self.compatible and self.down is None

    def as_json(self) -> dict:
        return {"name": self.name, "compatible": self.compatible,
                "down": list(self.down) if self.down is not None else None}

    @classmethod
    def from_json(cls, d: dict) -> "MigrationInfo":
        down = d.get("down")
        return cls(d["name"], bool(d["compatible"]), tuple(down) if down is not None else None)


def describe(migrations: list[tuple[str, list[str]]]) -> list[MigrationInfo]:
    return [MigrationInfo(name, is_additive(stmts),
                          tuple(_downs[name]) if name in _downs else None)
            for name, stmts in migrations]
