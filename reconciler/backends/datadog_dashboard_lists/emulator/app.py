"""The emulated Dashboard Lists API as an ASGI app: v1 lists (create, get, list, rename, delete) and v2 items
(get, add, replace, remove), answering as the recordings show."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reconciler.backends.datadog_dashboard_lists.emulator.store import Dashboard, Document, ListStore, now_iso
from reconciler.backends.datadog_dashboard_lists.vocabulary import (
    DASHBOARD_TYPES,
    ITEMS,
    LIST_ID,
    LIST_TYPE,
    LISTS,
    MAX_LIST_ID,
)

ITEMS_ROUTE: Final = ITEMS.replace("{list_id}", "{list_id:str}")


def _error(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errors": list(messages)}, status_code=status)


class _NotFound(Exception):
    pass


def _list_id(request: Request) -> int:
    text = request.path_params["list_id"]
    if not LIST_ID.fullmatch(text) or int(text) > MAX_LIST_ID:
        raise _NotFound(f"Manual Dashboard List with id {text} not found")
    return int(text)


def _member(dashboard_id: str, kind: str, dashboard: Dashboard) -> Document:
    """A member as the v2 items answer shows it: the dashboard's summary from its own table."""
    found = dashboard.document or {}
    return {
        "author": {"handle": found.get("author_handle"), "name": found.get("author_name")},
        "created": found.get("created_at"),
        "icon": None,
        "id": dashboard_id,
        "integration_id": None,
        "is_favorite": False,
        "is_read_only": False,
        "is_shared": dashboard.shared,
        "modified": found.get("modified_at"),
        "popularity": 0,
        "tags": found.get("tags"),
        "title": found.get("title"),
        "type": kind,
        "url": found.get("url"),
    }


def _pairs(body: Any) -> list[tuple[str, str]] | str:
    """The (id, type) pairs a v2 body names, or why it is refused."""
    items = body.get("dashboards") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return "'dashboards' is a required property"
    pairs = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            return f"'dashboards[{index}].id' is a required property"
        if item.get("type") not in DASHBOARD_TYPES:
            return f"'dashboards[{index}].type' must be one of {', '.join(DASHBOARD_TYPES)}"
        pairs.append((item["id"], item["type"]))
    return pairs


class ListsApi:
    def __init__(self, store: ListStore, users: Mapping[str, tuple[str, str | None]]) -> None:
        self.store = store
        self.users = users

    def _author(self, request: Request) -> tuple[str, str | None]:
        api_key = request.headers.get("dd-api-key", "")
        app_key = request.headers.get("dd-application-key", "")
        if not api_key or not app_key:
            raise HTTPException(403, "Forbidden")
        if app_key in self.users:
            return self.users[app_key]
        return f"user-{hashlib.sha256(app_key.encode()).hexdigest()[:8]}@example.com", None

    async def _body(self, request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except (ValueError, RecursionError):
            return None

    def _shown(self, list_id: int, document: Document, count: int) -> Document:
        return {
            "is_favorite": False,
            "name": document["name"],
            "dashboard_count": count,
            "author": document["author"],
            "created": document["created"],
            "type": LIST_TYPE,
            "dashboards": None,
            "modified": document["modified"],
            "id": list_id,
        }

    def _count(self, list_id: int) -> int:
        return self.store.counts().get(list_id, 0)

    def _found(self, list_id: int) -> Document:
        found = self.store.get(list_id)
        if found is None:
            raise _NotFound(f"Manual Dashboard List with id {list_id} not found")
        return found

    async def collection(self, request: Request) -> Response:
        handle, name = self._author(request)
        if request.method == "GET":
            counts = self.store.counts()
            every = [self._shown(i, d, counts.get(i, 0)) for i, d in self.store.every()]
            return JSONResponse({"dashboard_lists": every})
        body = await self._body(request)
        problem = _name_problem(body)
        if problem:
            return _error(400, problem)
        stamp = now_iso()
        document = {"name": body["name"], "author": {"handle": handle, "name": name}, "created": stamp}
        document["modified"] = stamp
        return JSONResponse(self._shown(self.store.insert(document), document, 0))

    async def item(self, request: Request) -> Response:
        self._author(request)
        list_id = _list_id(request)
        found = self._found(list_id)
        if request.method == "GET":
            return JSONResponse(self._shown(list_id, found, self._count(list_id)))
        if request.method == "DELETE":
            self.store.delete(list_id)
            return JSONResponse({"deleted_dashboard_list_id": list_id})
        body = await self._body(request)
        problem = _name_problem(body)
        if problem:
            return _error(400, problem)
        changed = {**found, "name": body["name"], "modified": now_iso()}
        self.store.replace(list_id, changed)
        return JSONResponse(self._shown(list_id, changed, self._count(list_id)))

    async def items(self, request: Request) -> Response:
        self._author(request)
        list_id = _list_id(request)
        found = self._found(list_id)
        if request.method == "GET":
            members = [_member(*member) for member in self.store.members(list_id)]
            return JSONResponse({"dashboards": members, "total": len(members)})
        pairs = _pairs(await self._body(request))
        if isinstance(pairs, str):
            return _error(400, pairs)
        if request.method != "DELETE":
            missing = [d for d, _ in pairs if not self.store.dashboard_exists(d)]
            if missing:
                return _error(404, *(f"Dashboard with ID {d} not found" for d in missing))
        key = self._write_items(request.method, list_id, pairs)
        self.store.replace(list_id, {**found, "modified": now_iso()})
        return JSONResponse({key: [{"type": kind, "id": dashboard_id} for dashboard_id, kind in pairs]})

    def _write_items(self, method: str, list_id: int, pairs: list[tuple[str, str]]) -> str:
        """Adds (POST), replaces (PUT) or removes (DELETE) members; the key the answer lists them under."""
        if method == "POST":
            self.store.add(list_id, pairs)
            return "added_dashboards_to_list"
        if method == "PUT":
            self.store.set_members(list_id, pairs)
            return "dashboards"
        self.store.remove(list_id, [d for d, _ in pairs])
        return "deleted_dashboards_from_list"


def _name_problem(body: Any) -> str | None:
    if not isinstance(body, dict) or "name" not in body:
        return "'name' is a required property"
    # The published schema asks for a string, of any length (wac's manifests ask for a non-empty one).
    if not isinstance(body["name"], str):
        return "'name' must be a string"
    return None


async def _not_found(_: Request, exc: Exception) -> Response:
    return _error(404, str(exc))


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"errors": [exc.detail]}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> Response:
    return _error(500, f"Internal Server Error: {type(exc).__name__}")


def create_lists_app(
    store: ListStore | None = None, users: Mapping[str, tuple[str, str | None]] | None = None
) -> ASGIApp:
    api = ListsApi(store or ListStore(), users or {})
    return Starlette(
        routes=[
            Route(LISTS, api.collection, methods=["GET", "POST"]),
            Route(LISTS + "/{list_id}", api.item, methods=["GET", "PUT", "DELETE"]),
            Route(ITEMS_ROUTE, api.items, methods=["GET", "POST", "PUT", "DELETE"]),
        ],
        exception_handlers={HTTPException: _http_error, _NotFound: _not_found, Exception: _unexpected},
    )


def mounted(db: str | Path, options: Mapping[str, Any]) -> tuple[ASGIApp, ListStore]:
    """The app and its store over the shared state file, as the emulator server mounts it (its registration);
    the `users` option (Datadog's, shared with the widgets and dashboards) names each application key's author."""
    users: Mapping[str, tuple[str, str]] = options.get("users", {})
    store = ListStore(db)
    return create_lists_app(store, {key: (handle, name) for key, (handle, name) in users.items()}), store
