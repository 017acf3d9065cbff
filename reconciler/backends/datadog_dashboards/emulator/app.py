"""The emulated Dashboards API v1 as an ASGI app: create, get, list, update, delete, bulk delete, restore; and
the restriction policies (v2) that lock a dashboard to its editors."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reconciler.backends.datadog_dashboards.emulator import policies, shares
from reconciler.backends.datadog_dashboards.emulator.checks import dashboard_errors
from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore, Document, new_dashboard_id, now_iso
from reconciler.backends.datadog_dashboards.vocabulary import DASHBOARD_ID, SHARE_TOKEN

PREFIX: Final = "/api/v1/dashboard"
# `is_read_only` is deprecated: Datadog stopped returning it in 2025 (the recordings show both eras).
SUMMARY_FIELDS: Final = (
    "id", "title", "description", "layout_type", "url", "created_at", "modified_at", "author_handle",
)  # fmt: skip
_NOT_SLUG: Final = re.compile(r"[^a-z0-9 -]")
TOKEN: Final = SHARE_TOKEN
LOCKED: Final = "Forbidden: you are not an editor of this dashboard"


def _error(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errors": list(messages)}, status_code=status)


def _slug(title: str) -> str:
    return "-".join(_NOT_SLUG.sub("", title.lower()).split())


def _with_widget_ids(widgets: list[Any]) -> list[Any]:
    """Each widget with an id: the one it came with, or a new one the server assigns (inside groups too)."""
    result = []
    for widget in widgets:
        if not isinstance(widget, dict):
            result.append(widget)
            continue
        copy = dict(widget)
        definition = copy.get("definition")
        if isinstance(definition, dict) and isinstance(definition.get("widgets"), list):
            copy["definition"] = {**definition, "widgets": _with_widget_ids(definition["widgets"])}
        if not isinstance(copy.get("id"), int):
            copy["id"] = secrets.randbelow(9 * 10**15) + 10**15
        result.append(copy)
    return result


class DashboardsApi:
    def __init__(
        self,
        store: DashboardStore,
        users: Mapping[str, tuple[str, str | None]],
        principals: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.store = store
        self.users = users
        self.policies = policies.PoliciesApi(store, principals or {})

    def _author(self, request: Request) -> tuple[str, str | None]:
        api_key = request.headers.get("dd-api-key", "")
        app_key = request.headers.get("dd-application-key", "")
        if not api_key or not app_key:
            raise HTTPException(403, "Forbidden")
        if app_key in self.users:
            return self.users[app_key]
        return f"user-{hashlib.sha256(app_key.encode()).hexdigest()[:8]}@example.com", None

    def _document(
        self, body: dict[str, Any], dashboard_id: str, author: tuple[str, str | None], created: str, modified: str
    ) -> Document:
        document: Document = {
            "id": dashboard_id,
            "title": body["title"],
            "description": body.get("description"),
            "author_handle": author[0],
            "author_name": author[1],
            "layout_type": body["layout_type"],
            "url": f"/dashboard/{dashboard_id}/{_slug(body['title'])}",
            "template_variables": body.get("template_variables"),
            "widgets": _with_widget_ids(body["widgets"]),
            "notify_list": body.get("notify_list"),
            "created_at": created,
            "modified_at": modified,
        }
        for name, value in body.items():
            document.setdefault(name, value)
        document.setdefault("restricted_roles", [])
        return document

    async def _body(self, request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except (ValueError, RecursionError):
            return None

    async def collection(self, request: Request) -> Response:
        author = self._author(request)
        if request.method == "GET":
            return self._list(request)
        body = await self._body(request)
        if request.method in ("DELETE", "PATCH"):
            return self._bulk(request, body, deleted=request.method == "DELETE")
        errors = dashboard_errors(body)
        if errors:
            return _error(400, *errors)
        stamp = now_iso()
        document = self._document(body, new_dashboard_id(), author, stamp, stamp)
        self.store.insert(document)
        return JSONResponse(document)

    def _list(self, request: Request) -> Response:
        params = request.query_params
        shared, deleted = params.get("filter[shared]"), params.get("filter[deleted]")
        if shared is not None and deleted is not None:
            return _error(400, "filter[shared] and filter[deleted] cannot be used together")
        try:
            count = int(params.get("count", "100"))
            start = int(params.get("start", "0"))
        except ValueError:
            return _error(400, "count and start must be integers")
        if count < 0 or start < 0:
            return _error(400, "count and start must be at least 0")
        # Shared: a share (open, invite-only or embedded) of the dashboard is live.
        rows = self.store.listed(deleted == "true", start, count, shared=shared == "true")
        summaries = [
            {**{name: document.get(name) for name in SUMMARY_FIELDS}, "deleted_at": deleted_at}
            for document, deleted_at in rows
        ]
        return JSONResponse({"dashboards": summaries})

    def _bulk(self, request: Request, body: Any, deleted: bool) -> Response:
        items = body.get("data") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return _error(400, "'data' is a required property")
        ids = [item.get("id") if isinstance(item, dict) else None for item in items]
        if not all(isinstance(i, str) and DASHBOARD_ID.fullmatch(i) for i in ids):
            return _error(400, "'data' holds an invalid dashboard id")
        missing = [i for i in ids if self.store.get(str(i), deleted=not deleted) is None]
        if missing:
            return _error(404, *(f"Dashboard with ID {i} not found" for i in missing))
        return self._bulk_allowed(request, [str(i) for i in ids], deleted)

    def _bulk_allowed(self, request: Request, ids: list[str], deleted: bool) -> Response:
        """Every dashboard deleted (or restored) when the caller may edit each; none when it may not edit one."""
        if not all(self.policies.allowed(request, i) for i in ids):
            return _error(403, LOCKED)
        for dashboard_id in ids:
            self.store.set_deleted(str(dashboard_id), deleted)
        return Response(status_code=204)

    async def item(self, request: Request) -> Response:
        self._author(request)  # every call is authenticated; the author stays the creator
        dashboard_id = request.path_params["dashboard_id"]
        found = self.store.get(dashboard_id) if DASHBOARD_ID.fullmatch(dashboard_id) else None
        if found is None:
            return _error(404, f"Dashboard with ID {dashboard_id} not found")
        if request.method == "GET":
            return JSONResponse(found)
        if not self.policies.allowed(request, dashboard_id):
            # Its restriction policy names editors, and the caller is not one of them.
            return _error(403, LOCKED)
        if request.method == "DELETE":
            self.store.set_deleted(dashboard_id, True)
            return JSONResponse({"deleted_dashboard_id": dashboard_id})
        body = await self._body(request)
        errors = dashboard_errors(body)
        if errors:
            return _error(400, *errors)
        author_of = (found["author_handle"], found.get("author_name"))
        document = self._document(body, dashboard_id, author_of, found["created_at"], now_iso())
        self.store.replace(document)
        return JSONResponse(document)


class SharesApi:
    """`/api/v1/dashboard/public…`: a dashboard's share by token, and the invitations of an invite share."""

    def __init__(self, dashboards: DashboardsApi) -> None:
        self.dashboards = dashboards
        self.store = dashboards.store

    def _share(self, token: str) -> Document:
        found = self.store.share(token) if TOKEN.fullmatch(token) else None
        if found is None:
            raise _NotFound(f"Shared dashboard with token {token} not found")
        return found

    async def create(self, request: Request) -> Response:
        handle, name = self.dashboards._author(request)
        body = await self.dashboards._body(request)
        errors = shares.share_errors(body, creating=True)
        if errors:
            return _error(400, *errors)
        dashboard_id = body["dashboard_id"]
        dashboard = self.store.get(dashboard_id) if DASHBOARD_ID.fullmatch(dashboard_id) else None
        if dashboard is None:
            return _error(404, f"Dashboard with ID {dashboard_id} not found")
        share = shares.new_share(body, dashboard, {"handle": handle, "name": name})
        self.store.put_share(share)
        return JSONResponse(share)

    async def item(self, request: Request) -> Response:
        self.dashboards._author(request)
        token = request.path_params["token"]
        share = self._share(token)
        if request.method == "GET":
            return JSONResponse(share)
        if request.method == "DELETE":
            self.store.end_share(token)
            return JSONResponse({"deleted_public_dashboard_token": token})
        body = await self.dashboards._body(request)
        errors = shares.share_errors(body, creating=False)
        if errors:
            return _error(400, *errors)
        changed = shares.updated(share, body)
        self.store.put_share(changed)
        return JSONResponse(changed)

    async def invitations(self, request: Request) -> Response:
        self.dashboards._author(request)
        token = request.path_params["token"]
        share = self._share(token)
        if request.method == "GET":
            return self._invitation_page(request, token)
        body = await self.dashboards._body(request)
        data = body.get("data") if isinstance(body, dict) else None
        emails = _invitee_emails(data)
        if emails is None:
            return _error(400, "'data' must name the invitees' emails")
        if request.method == "DELETE":
            for email in emails:
                self.store.uninvite(token, email)
            return Response(status_code=204)
        if share.get("share_type") != "invite":
            return _error(400, "Invitations can be sent for invite-only shared dashboards only")
        sent = [shares.invitation(email, token) for email in emails]
        for invitation in sent:
            self.store.invite(token, invitation)
        made = [{"type": "public_dashboard_invitation", "attributes": i} for i in sent]
        return JSONResponse({"data": made if isinstance(data, list) else made[0]}, status_code=201)

    def _invitation_page(self, request: Request, token: str) -> Response:
        try:
            size = int(request.query_params.get("page_size", "100"))
            number = int(request.query_params.get("page_number", "0"))
        except ValueError:
            return _error(400, "page_size and page_number must be integers")
        if size < 1 or number < 0:
            return _error(400, "page_size must be at least 1 and page_number at least 0")
        every = self.store.invitations(token)
        page = every[number * size : (number + 1) * size]
        data = [{"type": "public_dashboard_invitation", "attributes": i} for i in page]
        return JSONResponse({"data": data, "meta": {"page": {"total_count": len(every)}}})


def _invitee_emails(data: Any) -> list[str] | None:
    """The emails an invitations body names (one item or a list), or None when it names none or not only emails."""
    items = data if isinstance(data, list) else [data]
    emails = [i.get("attributes", {}).get("email") if isinstance(i, dict) else None for i in items]
    if not emails or not all(isinstance(e, str) and "@" in e for e in emails):
        return None
    return [str(e) for e in emails]


class _NotFound(Exception):
    pass


async def _not_found(_: Request, exc: Exception) -> Response:
    return _error(404, str(exc))


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"errors": [exc.detail]}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> Response:
    return _error(500, f"Internal Server Error: {type(exc).__name__}")


def create_dashboards_app(
    store: DashboardStore | None = None,
    users: Mapping[str, tuple[str, str | None]] | None = None,
    principals: Mapping[str, Sequence[str]] | None = None,
) -> ASGIApp:
    api = DashboardsApi(store or DashboardStore(), users or {}, principals)
    shared = SharesApi(api)
    return Starlette(
        routes=[
            Route(PREFIX, api.collection, methods=["GET", "POST", "DELETE", "PATCH"]),
            Route(PREFIX + "/public", shared.create, methods=["POST"]),
            Route(PREFIX + "/public/{token}", shared.item, methods=["GET", "PUT", "DELETE"]),
            Route(PREFIX + "/public/{token}/invitation", shared.invitations, methods=["GET", "POST", "DELETE"]),
            Route(PREFIX + "/{dashboard_id}", api.item, methods=["GET", "PUT", "DELETE"]),
            Route(policies.ROOT + "/{resource_id}", api.policies.item, methods=["GET", "POST", "DELETE"]),
        ],
        exception_handlers={HTTPException: _http_error, _NotFound: _not_found, Exception: _unexpected},
    )


def mounted(db: str | Path, options: Mapping[str, Any]) -> tuple[ASGIApp, DashboardStore]:
    """The app and its store over the shared state file, as the emulator server mounts it (its registration);
    the `users` option (Datadog's, shared with the widgets) names each application key's author, and
    `principals` the roles, teams, user and org each key acts as (what a restriction policy names)."""
    users: Mapping[str, tuple[str, str]] = options.get("users", {})
    principals: Mapping[str, Sequence[str]] = options.get("principals", {})
    store = DashboardStore(db)
    authors = {key: (handle, name) for key, (handle, name) in users.items()}
    return create_dashboards_app(store, authors, principals), store
