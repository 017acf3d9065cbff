"""Tampered saved plans (hypothesis): whatever a file claims, only what an honest plan writes is written.

Each example builds a remote state, saves a plan as `wac plan --out` does, edits the file as an
attacker or a careless hand would, and checks that verifying it either refuses it before any
write or yields exactly the honest plan's writes (an edit that changes nothing, such as another
owner when neither owns anything); the untouched file verifies and applies.
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.backends.datadog_widgets.client import WidgetsClient
from reconciler.backends.datadog_widgets.emulator.app import create_app
from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
from reconciler.backends.datadog_widgets.emulator.transport import InProcessTransport
from reconciler.backends.registry import SCOPES
from reconciler.backends.sites import resolve_site
from reconciler.core.plan_file import PlanFileError, PlanInputs, plan_from_json, plan_to_json
from reconciler.core.planning import Plan
from reconciler.core.resources import Desired
from reconciler.engine.runs import StalePlanError, apply_run, plan_run
from reconciler.engine.saved_plans import verify_saved_plan
from tests.budget import examples
from tests.conftest import ALICE
from tests.reliability.test_convergence import OWNER, manifests, remote_kinds, seed, snapshot
from tests.widgets import backends_of

SITE = "http://127.0.0.1:1"
INPUTS = PlanInputs(("widgets",), (("widgets/a.yaml", "0" * 64),))
TAMPERINGS = (
    "retarget",
    "add-delete",
    "edit-body",
    "drop",
    "update-to-delete",
    "owner",
    "target",
    "experience-type",
    "path",
)


def tamper(plan: dict[str, Any], how: str, untouchable: list[str]) -> None:
    changes = plan["changes"]
    if how == "retarget":
        assume(untouchable and any(c["remote_id"] for c in changes))
        next(c for c in changes if c["remote_id"])["remote_id"] = untouchable[0]
    elif how == "add-delete":
        assume(untouchable)
        changes.append({"action": "delete", "reason": "manifest removed", "kind": "datadog/widget",
                        "scope": "logs_reports", "id": "stray", "title": "x", "remote_id": untouchable[-1],
                        "content": None, "marker": None})  # fmt: skip
    elif how == "edit-body":
        assume(any(c["content"] for c in changes))
        next(c for c in changes if c["content"])["content"]["definition"]["title"] = "changed by hand"
    elif how == "drop":
        assume(changes)
        changes.pop()
    elif how == "update-to-delete":
        assume(any(c["action"] == "update" for c in changes))
        change = next(c for c in changes if c["action"] == "update")
        change.update(action="delete", reason="manifest removed", content=None, marker=None)
    elif how == "owner":
        plan["owner"] = "someone-else"
    elif how == "target":
        plan["targets"] = ["w0"]
    elif how == "experience-type":
        assume(changes)
        change = changes[0]
        change["scope"] = "csv_reports" if change["scope"] != "csv_reports" else "ccm_reports"
    elif how == "path":
        assume(changes)
        changes[0]["scope"] = "../../v1/dashboard"


async def check(desired: list[Desired], kinds: list[str], how: str) -> None:
    store = WidgetStore()
    app, stats = create_app(store)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator", headers=ALICE) as http,
        WidgetsClient(
            resolve_site(SITE), ALICE["DD-API-KEY"], ALICE["DD-APPLICATION-KEY"], transport=InProcessTransport(app=app)
        ) as client,
    ):
        untouchable = sorted(await seed(http, desired, kinds))
        plan = await plan_run(backends_of(client), OWNER, desired)
        original = json.loads(plan_to_json(plan, SITE, INPUTS))
        tampered = copy.deepcopy(original)
        tamper(tampered, how, untouchable)
        assume(tampered != original)

        before, writes = await snapshot(http), _writes(stats.by_method)
        try:
            saved = plan_from_json(json.dumps(tampered), "plan.json", SCOPES)
            accepted = await verify_saved_plan(backends_of(client), saved.plan, desired)
        except (PlanFileError, StalePlanError):
            pass
        else:
            assert _writes_of(accepted) == _writes_of(plan), f"a plan tampered by {how!r} would write otherwise"
        assert await snapshot(http) == before and _writes(stats.by_method) == writes, "verifying never writes"

        honest = plan_from_json(json.dumps(original), "plan.json", SCOPES)
        fresh = await verify_saved_plan(backends_of(client), honest.plan, desired)
        await apply_run(backends_of(client), fresh, lambda _: None)
        assert not (await plan_run(backends_of(client), OWNER, desired)).changes
        after = await snapshot(http)
        assert all(after[uuid] == before[uuid] for uuid in untouchable)


def _writes_of(plan: Plan) -> list[Any]:
    changes = json.loads(plan_to_json(plan, SITE))["changes"]
    return sorted(
        (c["action"], c["kind"], c["scope"], c["id"], c["remote_id"] or "", json.dumps([c["content"], c["marker"]]))
        for c in changes
    )


def _writes(by_method: Any) -> int:
    return sum(by_method[m] for m in ("POST", "PUT", "DELETE"))


@settings(
    max_examples=examples(ci=15, nightly=40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(desired=manifests, data=st.data(), how=st.sampled_from(TAMPERINGS))
def test_a_tampered_plan_is_always_refused(desired: list[Desired], data: st.DataObject, how: str) -> None:
    kinds = data.draw(st.lists(remote_kinds, min_size=len(desired), max_size=len(desired)))
    asyncio.run(check(desired, kinds, how))
