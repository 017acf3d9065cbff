"""Functions stay small: none in the package above cyclomatic complexity 15 (radon), emulators and CLI included.
A feature that adds a branch to a long function splits it into phases instead."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
LIMIT = 15


def test_no_function_is_above_the_complexity_limit() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{block.lineno} {block.fullname} ({block.complexity})"
        for path in sorted(PACKAGE.rglob("*.py"))
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > LIMIT
    ]
    assert found == [], f"split these into phases, each at most {LIMIT}"


def test_the_check_sees_a_long_function() -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(LIMIT + 1))
    (block,) = cc_visit(f"def long(x):\n{branches}    return -1\n")
    assert block.complexity > LIMIT
