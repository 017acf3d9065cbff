"""Problems found in manifests, located to file, line and column; `render/problems.py` prints them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, where it is (1-based line and column), in a plain sentence."""

    file: str
    line: int
    column: int
    message: str
