"""Plain resources for the engine's tests on the in-memory fake (`reconciler.testing`): no API's codec."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from reconciler.core.outcomes import ApplyReport
from reconciler.core.planning import Plan
from reconciler.core.resources import Desired
from reconciler.engine.runs import apply_run, plan_run
from reconciler.testing import KIND, FakeApi, FakeBackend

OWNER = "team"
BOARDS = ("board", "share")
T = TypeVar("T")


def desired(manifest_id: str, title: str = "Spend", scope: str = "default", **content: Any) -> Desired:
    return Desired(KIND, scope, manifest_id, title, {"title": title, **content}, (), f"{manifest_id}.yaml:1")


def board(manifest_id: str = "checkout", title: str = "Checkout") -> Desired:
    return desired(manifest_id, title, "board")


def share(manifest_id: str = "checkout", share_type: str = "invite") -> Desired:
    """A resource that belongs to the board of the same id, as a dashboard's share does."""
    return Desired(
        KIND, "share", manifest_id, "Checkout", {"share_type": share_type}, (), f"{manifest_id}.yaml:1",
        parent=(KIND, "board", manifest_id),
    )  # fmt: skip


def boards_api() -> FakeApi:
    return FakeApi(scopes=BOARDS, parents={"share": "board"})


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def plan(backend: FakeBackend, want: Sequence[Desired]) -> Plan:
    return run(plan_run({backend.kind: backend}, OWNER, want))


def apply(backend: FakeBackend, planned: Plan) -> ApplyReport:
    return run(apply_run({backend.kind: backend}, planned, lambda _: None))


def converge(backend: FakeBackend, want: Sequence[Desired]) -> ApplyReport:
    """Plan and apply once; the report's outcomes all succeeded."""
    report = apply(backend, plan(backend, want))
    assert not report.failed, [o.detail for o in report.failed]
    return report
