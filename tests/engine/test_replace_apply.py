"""The engine's replace over HTTP: the new resource is created before the old one is deleted."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from reconciler.backends.datadog_widgets.client import WidgetsClient
from reconciler.backends.datadog_widgets.emulator.app import create_app
from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
from reconciler.backends.datadog_widgets.emulator.transport import InProcessTransport
from reconciler.backends.sites import resolve_site
from reconciler.core.planning import Action
from reconciler.core.resources import Desired
from reconciler.engine.runs import apply_run, plan_run
from tests.conftest import ALICE
from tests.widgets import backends_of, desired_widget

OWNER = "team"


def widget(kind: str) -> Desired:
    body = {"type": kind, "title": "Spend", "requests": [{"q": "a"}]}
    return replace(desired_widget("ccm_reports", "spend", body, ("team:finops",)), immutable=("definition.type",))


def test_replace_creates_then_deletes_and_converges() -> None:
    app, stats = create_app(WidgetStore())

    async def scenario() -> None:
        client = WidgetsClient(
            resolve_site("http://127.0.0.1:1"),
            ALICE["DD-API-KEY"],
            ALICE["DD-APPLICATION-KEY"],
            transport=InProcessTransport(app=app),
        )
        async with client:
            backends = backends_of(client)
            first = await apply_run(backends, await plan_run(backends, OWNER, [widget("toplist")]), lambda _: None)
            (made,) = first.outcomes
            plan = await plan_run(backends, OWNER, [widget("treemap")])
            (change,) = plan.changes
            assert change.action == Action.REPLACE and change.remote_id == made.remote_id
            before = dict(stats.by_method)
            report = await apply_run(backends, plan, lambda _: None)
            methods = [m for m in ("POST", "DELETE") if stats.by_method[m] > before.get(m, 0)]
            (outcome,) = report.outcomes
            assert outcome.ok and outcome.remote_id != made.remote_id, outcome.detail
            assert methods == ["POST", "DELETE"]
            assert (await backends["datadog/widget"].fetch("ccm_reports", made.remote_id or "")) is None
            assert not (await plan_run(backends, OWNER, [widget("treemap")])).changes

    asyncio.run(scenario())
