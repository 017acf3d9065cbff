"""The emulated CustomWidget API (`POST /dashboard/v1/custom-widget/<verb>`) as an ASGI app."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reconciler.backends.spaceone_widgets.emulator import errors, query
from reconciler.backends.spaceone_widgets.emulator.messages import parsed
from reconciler.backends.spaceone_widgets.emulator.settings import Caller, SpaceOneSettings
from reconciler.backends.spaceone_widgets.emulator.store import CustomWidgetStore, Document

PREFIX: Final = "/dashboard/v1/custom-widget"
# Fields written on create and update; the rest are the server's.
WRITABLE: Final[tuple[str, ...]] = ("widget_name", "title", "options", "settings", "inherit_options", "labels", "tags")
EQUALITY_FILTERS: Final = ("custom_widget_id", "widget_name", "title", "user_id")
KEYWORD_FIELDS: Final = ("custom_widget_id", "title")


def _info(document: Document) -> Document:
    """CustomWidgetInfo as the gateway writes it: every field, Structs and lists as stored."""
    defaults: Document = {"options": {}, "settings": {}, "inherit_options": {}, "labels": [], "tags": {}}
    return {**defaults, **document}


class CustomWidgetApi:
    def __init__(self, store: CustomWidgetStore, settings: SpaceOneSettings) -> None:
        self.store = store
        self.settings = settings

    def _caller(self, request: Request, params: dict[str, Any]) -> Caller:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.unauthenticated("a Bearer token is required in the Authorization header")
        caller = self.settings.caller(token.strip())
        if caller is None:
            raise errors.unauthenticated("the token is not valid")
        if caller.domain_id is not None and params.get("domain_id") not in (None, caller.domain_id):
            raise errors.permission_denied()
        return caller

    async def _params(self, request: Request, message: str) -> tuple[Caller, dict[str, Any]]:
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            body = None
        # The token is checked before the message: an anonymous caller learns nothing of it.
        caller = self._caller(request, body if isinstance(body, dict) else {})
        return caller, parsed(message, body)

    async def create(self, request: Request) -> Response:
        caller, params = await self._params(request, "CreateCustomWidgetRequest")
        fields = {name: params[name] for name in WRITABLE if name in params}
        return JSONResponse(_info(self.store.create(fields, caller.user_id, params["domain_id"])))

    async def update(self, request: Request) -> Response:
        _, params = await self._params(request, "UpdateCustomWidgetRequest")
        fields = {name: params[name] for name in WRITABLE if name in params}
        updated = self.store.update(params["domain_id"], params["custom_widget_id"], fields)
        if updated is None:
            raise errors.not_found(params["custom_widget_id"], params["domain_id"])
        return JSONResponse(_info(updated))

    async def delete(self, request: Request) -> Response:
        _, params = await self._params(request, "CustomWidgetRequest")
        if not self.store.delete(params["domain_id"], params["custom_widget_id"]):
            raise errors.not_found(params["custom_widget_id"], params["domain_id"])
        return JSONResponse({})

    async def get(self, request: Request) -> Response:
        _, params = await self._params(request, "GetCustomWidgetRequest")
        found = self.store.get(params["domain_id"], params["custom_widget_id"])
        if found is None:
            raise errors.not_found(params["custom_widget_id"], params["domain_id"])
        return JSONResponse(query.projected(_info(found), params.get("only"), minimal=False))

    async def list(self, request: Request) -> Response:
        _, params = await self._params(request, "CustomWidgetQuery")
        spec: dict[str, Any] = dict(params.get("query") or {})
        filters = list(_listed(spec, "filter"))
        for name in EQUALITY_FILTERS:
            if name in params:
                filters.append({"k": name, "v": params[name], "o": "eq"})
        filters_or = list(_listed(spec, "filter_or"))
        keyword = spec.get("keyword")
        if isinstance(keyword, str) and keyword.strip():
            # append_keyword_filter: the keyword is one more condition, met by any of its fields.
            keyword_match = query.combined(
                [], [{"k": k, "v": keyword.strip(), "o": "contain"} for k in KEYWORD_FIELDS], _now()
            )
        else:
            keyword_match = None
        matches = query.combined(filters, filters_or, _now())
        found = [
            _info(d)
            for d in self.store.all(params["domain_id"])
            if matches(d) and (keyword_match is None or keyword_match(d))
        ]
        # The model's default ordering is by title.
        found = query.ordered(found, spec.get("sort") if isinstance(spec.get("sort"), dict) else {"key": "title"})
        total = len(found)
        if spec.get("count_only"):
            return JSONResponse({"results": [], "total_count": total})
        only = spec.get("only")
        if only is not None and not (isinstance(only, list) and all(isinstance(o, str) for o in only)):
            raise errors.wrong_type("query.only", "list of str")
        shown = [query.projected(d, only, bool(spec.get("minimal"))) for d in query.page_of(found, spec.get("page"))]
        return JSONResponse({"results": shown, "total_count": total})

    async def stat(self, request: Request) -> Response:
        _, params = await self._params(request, "CustomWidgetStatQuery")
        documents = [_info(d) for d in self.store.all(params["domain_id"])]
        return JSONResponse(query.stat(documents, params["query"], _now()))


def _listed(spec: dict[str, Any], name: str) -> list[Any]:
    value = spec.get(name, [])
    if not isinstance(value, list):
        raise errors.wrong_type(f"query.{name}", "list")
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except errors.ServiceError as exc:
            return JSONResponse(exc.body(), status_code=exc.http_status)

    return run


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    body = {"detail": {"code": "ERROR_NOT_FOUND" if exc.status_code == 404 else "ERROR_UNKNOWN", "message": exc.detail}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> Response:
    error = errors.ServiceError("ERROR_UNKNOWN", "INTERNAL", type(exc).__name__)
    return JSONResponse(error.body(), status_code=500)


def create_spaceone_app(store: CustomWidgetStore | None = None, settings: SpaceOneSettings | None = None) -> ASGIApp:
    api = CustomWidgetApi(store or CustomWidgetStore(), settings or SpaceOneSettings())
    verbs = {"create": api.create, "update": api.update, "delete": api.delete, "get": api.get}
    verbs |= {"list": api.list, "stat": api.stat}
    return Starlette(
        routes=[Route(f"{PREFIX}/{verb}", _guarded(handler), methods=["POST"]) for verb, handler in verbs.items()],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
    )


def mounted(db: str | Path, options: Mapping[str, Any]) -> tuple[ASGIApp, CustomWidgetStore]:
    """The app and its store over the shared state file, as the emulator server mounts it (its registration);
    the `spaceone_tokens` option says who each token is."""
    store = CustomWidgetStore(db)
    return create_spaceone_app(store, options.get("spaceone_tokens")), store
