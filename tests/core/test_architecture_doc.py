"""docs/architecture.md names a module at each step; a rename must not leave it lying."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def _module_paths(text: str) -> set[str]:
    return set(re.findall(r"`((?:kiosk|hardware|ui|sync|sim)/[\w/]*?(?:\.py|/))`", text))


def _names_defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(node.name)
    return names


def test_every_module_the_page_names_exists():
    paths = _module_paths(DOC.read_text(encoding="utf-8"))
    assert len(paths) >= 15, paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_function_named_beside_its_module_exists():
    text = DOC.read_text(encoding="utf-8")
    pairs = re.findall(r"`((?:kiosk|hardware|ui|sync|sim)/[\w/]+\.py)` \(`(\w+)(?:\.(\w+))?`",
                       text)
    assert len(pairs) >= 6, pairs
    for module, first, second in pairs:
        defined = _names_defined(ROOT / module)
        for name in filter(None, (first, second)):
            assert name in defined, f"{name} is not defined in {module} (docs/architecture.md)"


def test_the_picture_and_its_source_are_there():
    dot = (ROOT / "docs" / "architecture.dot").read_text(encoding="utf-8")
    paths = set(re.findall(r"(?:kiosk|hardware|ui|sync|sim)/[\w/]+\.py", dot))
    assert len(paths) >= 10, paths
    for path in paths:
        assert (ROOT / path).exists(), f"docs/architecture.dot names {path}, which is gone"
    assert (ROOT / "docs" / "architecture.png").stat().st_size > 10_000
