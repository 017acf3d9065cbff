"""What the contract suite runs against: each real backend over its emulator, opened as the CLI opens it, and
the in-memory fake. A subject says how to open a fresh backend instance, what to write, and what a person
does in the API's UI beside the reconciler (an unowned resource, a marker naming two owners)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Final

import httpx

from reconciler.backends.connection import Connection
from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import create_emulator, emulator_thread
from reconciler.backends.policy import RetryPolicy
from reconciler.backends.registry import BY_KIND
from reconciler.backends.sites import Site, resolve_site
from reconciler.core.backend import Backend
from reconciler.core.resources import Claims, Desired, Marker
from reconciler.testing import KIND as FAKE_KIND
from reconciler.testing import FakeApi, FakeBackend

DD_KEYS: Final = {"DD-API-KEY": "contract-api-key", "DD-APPLICATION-KEY": "person-app-key"}
SPACEONE: Final = {"Authorization": "Bearer person-token"}
SPACEONE_DOMAIN: Final = "domain-local"  # the domain `--site local` gives SpaceONE
# Every create's answer lost after the write is committed, as a dropped connection loses it.
LOST_ANSWERS: Final = EmulatorSettings(faults=(FaultRule("lost_response", methods=frozenset({"POST"})),))
# Few connections and quick retries: the emulator answers at once, and many backends are opened.
POLICY: Final = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, timeout=10.0)


def marker_line(owner: str, manifest_id: str) -> str:
    """A dashboard's ownership marker as wac writes it (README, "Ownership without tags")."""
    return f"Managed by widgets-as-code (owner {owner}, id {manifest_id}, applied 0123456789abcdef): edit it in git."


class Subject:
    """A backend under the contract, over one remote state that every instance it opens shares."""

    name: str
    kind: str
    scope: str
    # Why a create whose answer is lost cannot be looked up in this scope ("" when it can).
    lost_create_skip: str = ""
    # Why an update is not re-read against the marker right before it is sent ("" when it is).
    update_unchecked: str = ""

    def open(self) -> AbstractAsyncContextManager[Backend]:
        """A fresh backend instance, as a new command would open one."""
        raise NotImplementedError

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        """A manifest's resources (a parent first), built by the backend's manifest model or codec."""
        raise NotImplementedError

    def desired(self, manifest_id: str, version: int = 0) -> Desired:
        """The manifest's resource in this scope: the last of its resources."""
        want = self.resources(manifest_id, version)[-1]
        assert want.scope == self.scope, f"{self.name}: the manifest's last resource is in {want.scope}"
        return want

    async def create_parents(self, backend: Backend, owner: str, manifest_id: str, version: int = 0) -> str | None:
        """Creates what the resource in this scope belongs to, if anything; the remote id to create it under."""
        parent_id = None
        for want in self.resources(manifest_id, version)[:-1]:
            parent = parent_id if want.parent is not None else None
            parent_id = await backend.create(want.scope, want.content, want.marker(owner), parent)
        return parent_id

    async def create(self, backend: Backend, owner: str, manifest_id: str, version: int = 0) -> str:
        """Creates the manifest's resource in this scope (its parent first); its remote id."""
        parent_id = await self.create_parents(backend, owner, manifest_id, version)
        want = self.desired(manifest_id, version)
        return await backend.create(want.scope, want.content, want.marker(owner), parent_id)

    async def ui_unowned(self) -> str:
        """A resource made in the UI, with no ownership marker; its remote id."""
        raise NotImplementedError

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        """A resource whose marker names both owners (a copied or edited marker); None when the API cannot
        hold such a marker, or the scope lists no conflict."""
        raise NotImplementedError

    def lossy(self) -> AbstractAsyncContextManager[Backend]:
        """A backend whose creates are committed but their answers lost."""
        raise NotImplementedError

    def close(self) -> None:
        """Lets go of what the subject holds."""


class Emulated(Subject):
    """A real backend over its emulator at `--site local`: each instance opens its own client and store over
    one SQLite file, and the UI is the emulator's HTTP API reached in process."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "state.sqlite3"
        self.ui_app, _, self._stores = create_emulator(self.db)

    def open(self) -> AbstractAsyncContextManager[Backend]:
        return self._connected(resolve_site("local", self.db), {})

    def lossy(self) -> AbstractAsyncContextManager[Backend]:
        return self._lossy()

    @asynccontextmanager
    async def _lossy(self) -> AsyncIterator[Backend]:
        # Fault knobs are settings of a served emulator (`--site local` takes none): one over the same state file,
        # which drops the connection once each POST is committed.
        with emulator_thread(self.db, LOST_ANSWERS) as running:
            environ = {"DD_API_KEY": DD_KEYS["DD-API-KEY"], "DD_APP_KEY": DD_KEYS["DD-APPLICATION-KEY"]}
            async with self._connected(resolve_site(running.url), environ) as backend:
                yield backend

    def _connected(self, site: Site, environ: dict[str, str]) -> AbstractAsyncContextManager[Backend]:
        connection = Connection(site, environ, {}, parallelism=2, policy=POLICY)
        return BY_KIND[self.kind].connector()(connection).open()

    @asynccontextmanager
    async def ui(self, headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=self.ui_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as http:
            yield http

    def manifest(self, document: dict[str, Any]) -> tuple[Desired, ...]:
        # Validated as `wac` validates a manifest file; each registered model gives its resources, parent first.
        manifest: Any = BY_KIND[self.kind].model.model_validate(document)
        resources: tuple[Desired, ...] = manifest.resources("contract.yaml")
        return resources

    def close(self) -> None:
        for store in self._stores.values():
            store.close()


class DatadogWidgets(Emulated):
    name, kind, scope = "datadog-widgets", "datadog/widget", "ccm_reports"
    update_unchecked = "an update is checked against the claims the plan saw (README: How apply stays safe)"

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        query = {
            "data_source": "cloud_cost",
            "name": "query1",
            "query": f"sum:aws.cost.amortized{{*}} by {{team{version}}}",
        }
        definition = {
            "type": "bar_chart",
            "title": f"Spend v{version}",
            "requests": [{"response_format": "scalar", "queries": [query]}],
        }
        tags = ["team:finops", f"version:{version}"]
        document = {"id": manifest_id, "experience_type": self.scope, "tags": tags, "definition": definition}
        return self.manifest(document)

    async def _post(self, title: str, tags: list[str]) -> str:
        definition = {"type": "bar_chart", "title": title, "requests": [{"q": "sum:aws.cost{*}"}]}
        body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": tags}}}
        async with self.ui(DD_KEYS) as http:
            answer = await http.post(f"/api/v2/widgets/{self.scope}", json=body)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["data"]["id"])

    async def ui_unowned(self) -> str:
        return await self._post("Made in the UI", ["team:finops"])

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        tags = [f"wac-owner:{owner}", f"wac-owner:{other}", f"wac-id:{manifest_id}", "wac-applied:0123456789abcdef"]
        return await self._post("Copied tags", tags)


class SpaceOneWidgets(Emulated):
    name, kind, scope = "spaceone-widgets", "spaceone/custom-widget", "custom-widget"
    update_unchecked = "an update is checked against the claims the plan saw (README: How apply stays safe)"

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        document = {
            "kind": self.kind,
            "id": manifest_id,
            "widget_name": "costTrend",
            "title": f"Cost trend v{version}",
            "options": {"granularity": "MONTHLY", "group_by": [f"provider{version}"]},
            "settings": {"currency": "USD"},
            "labels": ["finops"],
            "tags": {"team": "finops", "version": str(version)},
        }
        return self.manifest(document)

    async def ui_unowned(self) -> str:
        body = {
            "domain_id": SPACEONE_DOMAIN,
            "widget_name": "costTrend",
            "title": "Made in the UI",
            "options": {"granularity": "DAILY"},
            "tags": {"team": "finops"},
        }
        async with self.ui(SPACEONE) as http:
            answer = await http.post("/dashboard/v1/custom-widget/create", json=body)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["custom_widget_id"])

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        return None  # a tags mapping holds one wac-owner: the marker cannot name two


class DatadogDashboards(Emulated):
    name, kind, scope = "datadog-dashboards", "datadog/dashboard", "dashboard"

    def document(self, manifest_id: str, version: int) -> dict[str, Any]:
        group = {
            "type": "group",
            "title": "Errors",
            "layout_type": "ordered",
            "widgets": [{"definition": {"type": "query_value", "title": "Rate", "requests": [{"q": "avg:e{*}"}]}}],
        }
        dashboard = {
            "title": f"Checkout v{version}",
            "description": "Orders and errors of the checkout service.",
            "layout_type": "ordered",
            "notify_list": ["b@example.com", "a@example.com"],
            "template_variables": [{"name": "env", "prefix": "env", "defaults": ["prod"]}],
            "widgets": [{"definition": {"type": "note", "content": f"Runbook v{version}"}}, {"definition": group}],
        }
        return {"kind": self.kind, "id": manifest_id, "tags": ["team:checkout"], "dashboard": dashboard}

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        return self.manifest(self.document(manifest_id, version))

    async def _post(self, description: str | None) -> str:
        body: dict[str, Any] = {
            "title": "Made in the UI",
            "layout_type": "ordered",
            "widgets": [{"definition": {"type": "note", "content": "hello"}}],
        }
        if description is not None:
            body["description"] = description
        async with self.ui(DD_KEYS) as http:
            answer = await http.post("/api/v1/dashboard", json=body)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])

    async def ui_unowned(self) -> str:
        return await self._post(None)

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        # The same line for another owner pasted below: two exact markers, which no owner may write to.
        return await self._post(f"Orders.\n\n{marker_line(owner, manifest_id)}\n{marker_line(other, manifest_id)}")


class DashboardShares(DatadogDashboards):
    name, scope = "datadog-dashboard-shares", "dashboard-share"
    lost_create_skip = (
        "a share's token comes only in the create's answer: the backend itself checks, after a lost answer,"
        " whether the dashboard is shared, and says so (a BackendError) rather than leave the outcome unknown"
    )

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        document = self.document(manifest_id, 0)
        emails = ["oncall@example.com", *(["lead@example.com"] if version else [])]
        live_span = ("4h", "1d")[version % 2]
        document["sharing"] = {"share_type": "invite", "share_list": emails, "global_time": {"live_span": live_span}}
        return self.manifest(document)

    async def ui_unowned(self) -> str:
        # A dashboard made and shared in the UI: no marker records the share, yet Datadog lists it shared.
        dashboard_id = await self._post(None)
        body = {"dashboard_id": dashboard_id, "dashboard_type": "custom_timeboard", "share_type": "open"}
        async with self.ui(DD_KEYS) as http:
            answer = await http.post("/api/v1/dashboard/public", json=body)
        assert answer.status_code == 200, answer.text
        return dashboard_id

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        return None  # a conflicted dashboard's share waits with it: no listing holds it


class DatadogDashboardLists(Emulated):
    name, kind, scope = "datadog-dashboard-lists", "datadog/dashboard-list", "dashboard-list"

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        # Members must be dashboards that exist (a list write names each one's type, read from it): one of each
        # layout, made in the UI of the same emulator.
        from tests.asgi import SyncASGITransport

        with httpx.Client(transport=SyncASGITransport(self.ui_app), base_url="http://emulator", headers=DD_KEYS) as ui:
            self.boards = [
                str(ui.post("/api/v1/dashboard", json={"title": t, "layout_type": layout, "widgets": []}).json()["id"])
                for t, layout in (("Orders", "ordered"), ("Map", "free"))
            ]

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        members = self.boards[: 1 + version % 2]
        return self.manifest(
            {"kind": self.kind, "id": manifest_id, "name": f"Checkout v{version}", "dashboards": members}
        )

    async def _post(self, name: str) -> str:
        async with self.ui(DD_KEYS) as http:
            answer = await http.post("/api/v1/dashboard/lists/manual", json={"name": name})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])

    async def ui_unowned(self) -> str:
        return await self._post("Made in the UI")

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        # The suffix for another owner pasted after wac's: two markers, which no owner may write to.
        marks = [f"[wac: owner {o}, id {manifest_id}, applied 0123456789abcdef]" for o in (owner, other)]
        return await self._post("Copied " + " ".join(marks))


class DatadogPowerpacks(Emulated):
    name, kind, scope = "datadog-powerpacks", "datadog/powerpack", "powerpack"

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        value = {"type": "query_value", "title": f"Latency v{version}", "requests": [{"q": "p95:l{*}"}]}
        widget = {"definition": value}
        group = {"type": "group", "layout_type": "ordered", "title": "Latency", "widgets": [widget]}
        powerpack = {
            "name": f"Latency v{version}",
            "tags": ["team:sre"],
            "template_variables": [{"name": "service", "defaults": ["*"]}],
            "group_widget": {"definition": group, "layout": {"x": 0, "y": 0, "width": 12, "height": 3}},
        }
        return self.manifest({"kind": self.kind, "id": manifest_id, "powerpack": powerpack})

    async def _post(self, tags: list[str]) -> str:
        note = {"definition": {"type": "note", "content": "x"}}
        group = {"definition": {"type": "group", "layout_type": "ordered", "widgets": [note]}}
        attributes = {"name": "Made in the UI", "group_widget": group, "tags": tags}
        body = {"data": {"type": "powerpack", "attributes": attributes}}
        async with self.ui(DD_KEYS) as http:
            answer = await http.post("/api/v2/powerpacks", json=body)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["data"]["id"])

    async def ui_unowned(self) -> str:
        return await self._post(["team:sre"])

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        tags = [f"wac-owner:{owner}", f"wac-owner:{other}", f"wac-id:{manifest_id}", "wac-applied:0123456789abcdef"]
        return await self._post(tags)


class Fake(Subject):
    """The in-memory fake: every instance a `FakeBackend` over one `FakeApi`, the UI its edit methods."""

    name, kind, scope = "fake", FAKE_KIND, "default"

    def __init__(self, tmp_path: Path) -> None:
        self.api = FakeApi()

    def open(self) -> AbstractAsyncContextManager[Backend]:
        return self._opened()

    @asynccontextmanager
    async def _opened(self) -> AsyncIterator[Backend]:
        yield FakeBackend(self.api)

    def lossy(self) -> AbstractAsyncContextManager[Backend]:
        self.api.lose_next_create()
        return self._opened()

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        content = {"title": f"Spend v{version}", "query": f"sum:cost{{*}} by {{team{version}}}"}
        return (Desired(self.kind, self.scope, manifest_id, content["title"], content, (), "contract.yaml"),)

    async def ui_unowned(self) -> str:
        return self.api.add(self.scope, {"title": "Made in the UI"})

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        return self.api.add(self.scope, {"title": "Copied marker"}, Claims((owner, other), (manifest_id,)))


class FakeChildren(Fake):
    """The fake with a child scope, as a dashboard's share belongs to its dashboard."""

    name, scope = "fake-children", "share"

    def __init__(self, tmp_path: Path) -> None:
        self.api = FakeApi(scopes=("board", "share"), parents={"share": "board"})

    def resources(self, manifest_id: str, version: int = 0) -> tuple[Desired, ...]:
        board = Desired(self.kind, "board", manifest_id, "Board", {"title": "Board"}, (), "contract.yaml")
        content = {"title": "Board", "share_type": "invite", "version": version}
        share = Desired(
            self.kind,
            "share",
            manifest_id,
            "Board",
            content,
            (),
            "contract.yaml",
            parent=(self.kind, "board", manifest_id),
        )
        return board, share

    async def ui_unowned(self) -> str:
        board = self.api.add("board", {"title": "Made in the UI"})
        return self.api.add(self.scope, {"title": "Made in the UI", "share_type": "open"}, parent_id=board)

    async def ui_conflict(self, owner: str, other: str, manifest_id: str) -> str | None:
        board = self.api.add("board", {"title": "Board"}, Marker(owner, manifest_id, "0" * 16))
        claims = Claims((owner, other), (manifest_id,))
        return self.api.add(self.scope, {"title": "Copied marker"}, claims, parent_id=board)


SUBJECTS: Final = (
    DatadogWidgets, SpaceOneWidgets, DatadogDashboards, DashboardShares, DatadogDashboardLists, DatadogPowerpacks, Fake,
    FakeChildren,
)  # fmt: skip
