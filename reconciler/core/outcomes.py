"""What an apply did, change by change: data the engine produces and the renderers format."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.core.planning import Action, Change


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    detail: str = ""
    remote_id: str | None = None


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[Outcome, ...]

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.change.action == action)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)
