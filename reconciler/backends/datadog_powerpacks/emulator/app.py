"""The emulated Powerpacks API v2 as an ASGI app: list (offset pages), create, get, update (PATCH), delete.

Answers are JSON:API as the recordings show them: `data`, the author in `relationships` and `included`, and
for a list `meta.pagination` and `links`; errors are `{"errors": [...]}` with the recorded sentences.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reconciler.backends.datadog_powerpacks.emulator.checks import powerpack_errors
from reconciler.backends.datadog_powerpacks.emulator.store import Document, PowerpackStore
from reconciler.backends.datadog_powerpacks.vocabulary import (
    API_ROOT,
    DEFAULT_PAGE_LIMIT,
    PAGE_LIMIT,
    POLICY_RESOURCE_TYPE,
    POWERPACK_ID,
)
from reconciler.backends.emulation.principals import may_edit

# What an answer's attributes always hold, and what each is when a request left it out.
DEFAULTS: Final[Mapping[str, Any]] = {"description": "", "template_variables": [], "tags": []}
ATTRIBUTES: Final = ("name", "description", "group_widget", "template_variables", "tags")
_USERS: Final = uuid.UUID("0c1f9b52-6a4e-4d0b-8a8f-3f3e2b7d9a11")
LOCKED: Final = "Forbidden: you are not an editor of this powerpack"


def _error(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errors": list(messages)}, status_code=status)


def _with_widget_ids(group: Any) -> Any:
    """The group with a new id on every inner widget: Datadog makes them anew on each write."""
    definition = group.get("definition") if isinstance(group, dict) else None
    if not isinstance(definition, dict) or not isinstance(definition.get("widgets"), list):
        return group
    widgets = [{**w, "id": secrets.randbelow(9 * 10**15) + 10**15} for w in definition["widgets"]]
    return {**group, "definition": {**definition, "widgets": widgets}}


class PowerpacksApi:
    def __init__(
        self,
        store: PowerpackStore,
        users: Mapping[str, tuple[str, str | None]],
        principals: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.store = store
        self.users = users
        # Who each key acts as, for a powerpack's restriction policy (the state file's, which the dashboards'
        # emulator serves): a policy naming editors refuses everyone else's update and delete.
        self.principals = principals or {}

    def _allowed(self, request: Request, powerpack_id: str) -> bool:
        bindings = self.store.policy(f"{POLICY_RESOURCE_TYPE}:{powerpack_id}")
        return may_edit(bindings, request.headers.get("dd-application-key", ""), self.principals)

    def _author(self, request: Request) -> str:
        """The caller's user id, recorded with its email and name; the key itself is never kept."""
        api_key = request.headers.get("dd-api-key", "")
        app_key = request.headers.get("dd-application-key", "")
        if not api_key or not app_key:
            raise HTTPException(403, "Forbidden")
        fingerprint = hashlib.sha256(app_key.encode()).hexdigest()
        user_id = str(uuid.uuid5(_USERS, fingerprint))
        email, name = self.users.get(app_key, (f"user-{fingerprint[:8]}@example.com", None))
        self.store.put_user({"type": "users", "id": user_id, "attributes": {"name": name, "email": email}})
        return user_id

    async def _body(self, request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except (ValueError, RecursionError):
            return None

    def _included(self, documents: list[Document]) -> list[Document]:
        # Each author once, in the order first met, as the recorded lists give them.
        order = list(dict.fromkeys(d["author"] for d in documents))
        found = self.store.users(set(order))
        return [found[i] for i in order if i in found]

    @staticmethod
    def _data(document: Document) -> Document:
        author = {"data": {"type": "users", "id": document["author"]}}
        attributes = {name: document["attributes"][name] for name in ATTRIBUTES}
        relationships = {"author": author}
        return {"type": "powerpack", "id": document["id"], "attributes": attributes, "relationships": relationships}

    def _one(self, document: Document) -> JSONResponse:
        return JSONResponse({"data": self._data(document), "included": self._included([document])})

    async def collection(self, request: Request) -> Response:
        author = self._author(request)
        if request.method == "GET":
            return self._list(request)
        body = await self._body(request)
        errors = powerpack_errors(body, creating=True)
        if errors:
            return _error(400, *errors)
        sent = body["data"]["attributes"]
        attributes = {**DEFAULTS, **{k: v for k, v in sent.items() if k in ATTRIBUTES}}
        attributes["group_widget"] = _with_widget_ids(attributes["group_widget"])
        document = {"id": str(uuid.uuid1()), "attributes": attributes, "author": author}
        self.store.insert(document)
        return self._one(document)

    def _list(self, request: Request) -> Response:
        params = request.query_params
        try:
            limit = int(params.get("page[limit]", str(DEFAULT_PAGE_LIMIT)))
            offset = int(params.get("page[offset]", "0"))
        except ValueError:
            return _error(400, "page[limit] and page[offset] must be integers")
        if not 1 <= limit <= PAGE_LIMIT or offset < 0:
            return _error(400, f"page[limit] must be between 1 and {PAGE_LIMIT}, page[offset] at least 0")
        documents = self.store.page(offset, limit)
        base = f"{request.base_url}".rstrip("/") + API_ROOT
        pagination = {
            "offset": offset,
            "first_offset": 0,
            "prev_offset": max(0, offset - limit),
            "next_offset": offset + limit,
            "last_offset": None,
            "limit": limit,
            "type": "offset_limit",
        }
        links = {
            "self": str(request.url),
            "last": None,
            "next": f"{base}?page[offset]={offset + limit}&page[limit]={limit}",
            "prev": f"{base}?page[offset]={max(0, offset - limit)}&page[limit]={limit}" if offset else None,
            "first": f"{base}?page[offset]=0&page[limit]={limit}",
        }
        return JSONResponse(
            {
                "data": [self._data(d) for d in documents],
                "included": self._included(documents),
                "meta": {"pagination": pagination},
                "links": links,
            }
        )

    async def item(self, request: Request) -> Response:
        self._author(request)  # every call is authenticated; the author stays the creator
        powerpack_id = request.path_params["powerpack_id"]
        if not POWERPACK_ID.fullmatch(powerpack_id):
            return _error(404, f"Powerpack has invalid UUID {powerpack_id} not found")
        found = self.store.get(powerpack_id)
        if found is None:
            return _error(404, f"Powerpack with ID {powerpack_id} not found")
        if request.method == "GET":
            return self._one(found)
        if not self._allowed(request, powerpack_id):
            return _error(403, LOCKED)
        if request.method == "DELETE":
            self.store.delete(powerpack_id)
            return Response(status_code=204, media_type="text/html")
        body = await self._body(request)
        errors = powerpack_errors(body, creating=False)
        if errors:
            return _error(400, *errors)
        # PATCH replaces the attributes it is sent and keeps the others.
        sent = {k: v for k, v in body["data"]["attributes"].items() if k in ATTRIBUTES}
        attributes = {**found["attributes"], **sent}
        if "group_widget" in sent:
            attributes["group_widget"] = _with_widget_ids(sent["group_widget"])
        document = {**found, "attributes": attributes}
        if not self.store.replace(document):
            return _error(404, f"Powerpack with ID {powerpack_id} not found")
        return self._one(document)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"errors": [exc.detail]}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> Response:
    return _error(500, f"Internal Server Error: {type(exc).__name__}")


def create_powerpacks_app(
    store: PowerpackStore | None = None,
    users: Mapping[str, tuple[str, str | None]] | None = None,
    principals: Mapping[str, Sequence[str]] | None = None,
) -> ASGIApp:
    api = PowerpacksApi(store or PowerpackStore(), users or {}, principals)
    return Starlette(
        routes=[
            Route(API_ROOT, api.collection, methods=["GET", "POST"]),
            Route(API_ROOT + "/{powerpack_id}", api.item, methods=["GET", "PATCH", "DELETE"]),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
    )


def mounted(db: str | Path, options: Mapping[str, Any]) -> tuple[ASGIApp, PowerpackStore]:
    """The app and its store over the shared state file, as the emulator server mounts it (its registration);
    the `users` option (Datadog's, shared with the widgets and dashboards) names each application key's author,
    `principals` the roles, teams, user and org each key acts as (what a restriction policy names)."""
    users: Mapping[str, tuple[str, str]] = options.get("users", {})
    principals: Mapping[str, Sequence[str]] = options.get("principals", {})
    store = PowerpackStore(db)
    authors = {key: (handle, name) for key, (handle, name) in users.items()}
    return create_powerpacks_app(store, authors, principals), store
