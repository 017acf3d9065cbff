"""How deep the generated tests go: every push runs within CI's budget, the nightly run (`WAC_TESTS=nightly`,
set by .github/workflows/nightly.yml) explores at the full depth. Every property, check and operation runs in
both; only the number of generated examples differs."""

from __future__ import annotations

import os

NIGHTLY = os.environ.get("WAC_TESTS") == "nightly"


def examples(ci: int, nightly: int) -> int:
    """How many examples a generated test runs: `ci` on every push, `nightly` at full depth."""
    return nightly if NIGHTLY else ci
