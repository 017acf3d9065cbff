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

from reconciler.backends.spaceone_widgets.emulator import errors, query, statistics
from reconciler.backends.spaceone_widgets.emulator.messages import parsed
from reconciler.backends.spaceone_widgets.emulator.settings import Caller, SpaceOneSettings
from reconciler.backends.spaceone_widgets.emulator.store import CustomWidgetStore, Document

PREFIX: Final = "/dashboard/v1/custom-widget"
# Fields written on create and update; the rest are the server's.
WRITABLE: Final[tuple[str, ...]] = ("widget_name", "title", "options", "settings", "inherit_options", "labels", "tags")
EQUALITY_FILTERS: Final = ("custom_widget_id", "widget_name", "title", "user_id")
# The service's @append_keyword_filter(['custom_widget_id', 'title']) on list and stat.
KEYWORD_FIELDS: Final = ("custom_widget_id", "title")
# The model's meta `ordering`: a list without a sort comes back by title.
ORDERING: Final = ("title",)


Matches = list[bytes]
"""A query's matching widgets in its order, each as the JSON an answer carries: kept between a listing's pages,
and bytes rather than dicts so a large listing leaves few objects for the garbage collector to walk (named
here: inside the API class, `list` is the list verb)."""


_JSON: Final = "application/json"


def _encoded(document: Document) -> bytes:
    """A widget's JSON as Starlette's JSONResponse writes it."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _encoded_match(matches: Callable[[Document], bool]) -> Callable[[str], bytes]:
    """Stored JSON → the widget's answer JSON when `matches` takes it, else b""."""

    def encoded(text: str) -> bytes:
        info = _info(json.loads(text))
        return _encoded(info) if matches(info) else b""

    return encoded


def _info(document: Document) -> Document:
    """CustomWidgetInfo as the gateway writes it: every field, Structs and lists as stored."""
    defaults: Document = {"options": {}, "settings": {}, "inherit_options": {}, "labels": [], "tags": {}}
    return {**defaults, **document}


class CustomWidgetApi:
    def __init__(self, store: CustomWidgetStore, settings: SpaceOneSettings) -> None:
        self.store = store
        self.settings = settings
        # The matches of recent queries (without their page) as of one store version: a listing's pages are
        # filtered and sorted once, not once per page, so listing N widgets costs O(N), not O(N²).
        self._matches: dict[tuple[Any, ...], Matches] = {}

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
        spec = _query(params, list(EQUALITY_FILTERS))
        found = self._matching(params["domain_id"], spec)
        if spec.get("count_only"):
            return JSONResponse({"results": [], "total_count": len(found)})
        only = spec.get("only")
        if only is not None and not (isinstance(only, list) and all(isinstance(o, str) for o in only)):
            raise errors.wrong_type("query.only", "list of str")
        page = query.page_of(found, spec.get("page"))
        if only is None and not spec.get("minimal"):
            # Each widget's JSON as kept: the answer is assembled, not encoded again.
            return Response(b'{"results":[' + b",".join(page) + b'],"total_count":%d}' % len(found), 200, None, _JSON)
        shown = [query.projected(json.loads(d), only, bool(spec.get("minimal"))) for d in page]
        return JSONResponse({"results": shown, "total_count": len(found)})

    def _matching(self, domain_id: str, spec: dict[str, Any]) -> Matches:
        """The domain's widgets the query's filters match, in its order (a time-relative filter is never kept)."""
        unpaged = {k: v for k, v in spec.items() if k != "page"}
        try:
            key: tuple[Any, ...] | None = (domain_id, json.dumps(unpaged, sort_keys=True), self.store.version())
        except (TypeError, ValueError):
            key = None
        cached = self._matches.get(key) if key is not None and "now" not in json.dumps(unpaged) else None
        if cached is not None:
            return cached
        matches = query.combined(query.conditions(spec, "filter"), query.conditions(spec, "filter_or"), _now())
        sort = spec.get("sort")
        if query.order_of(sort, ORDERING) == [("custom_widget_id", False)]:
            # The order the store reads them in (wac's): each widget decoded, matched and encoded in turn.
            found = [encoded for encoded in map(_encoded_match(matches), self.store.texts(domain_id)) if encoded]
        else:
            chosen = [info for info in map(_info, self.store.all(domain_id)) if matches(info)]
            found = [_encoded(info) for info in query.ordered(chosen, sort, ORDERING)]
        if key is not None:
            if len(self._matches) >= 4:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = found
        return found

    async def stat(self, request: Request) -> Response:
        _, params = await self._params(request, "CustomWidgetStatQuery")
        documents = [_info(d) for d in self.store.all(params["domain_id"])]
        return JSONResponse(statistics.stat(documents, _query(params, []), _now()))


def _query(params: dict[str, Any], equality: list[str]) -> dict[str, Any]:
    """The request's query as the service's decorators leave it: `append_query_filter` adds an `eq` condition
    per equality field given, `append_keyword_filter` turns `keyword` into `filter_or` conditions."""
    spec: dict[str, Any] = dict(params.get("query") or {})
    given = [{"k": name, "v": params[name], "o": "eq"} for name in equality if name in params]
    if given:
        spec["filter"] = [*query.conditions(spec, "filter"), *given]
    return query.with_keyword(spec, KEYWORD_FIELDS)


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
    # FastAPI's own answer for a path or method no route serves (`{"detail": "Not Found"}`): no service error
    # code, so a client cannot mistake a wrong endpoint for a widget that does not exist.
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


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
