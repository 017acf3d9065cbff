"""The emulated Datadog Widgets v2 API as an ASGI app (starlette), for in-process or served use."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reconciler.backends.datadog_widgets.emulator.identity import user_for_app_key
from reconciler.backends.datadog_widgets.emulator.request_checks import (
    InvalidRequest,
    check_experience_type,
    check_json_content_type,
    check_uuid,
    parse_search,
    parse_widget_write,
)
from reconciler.backends.datadog_widgets.emulator.settings import UserProfile
from reconciler.backends.datadog_widgets.emulator.store import StoredWidget, User, WidgetStore
from reconciler.backends.emulation.knobs import KnobsMiddleware, RequestStats, StatsEndpoint
from reconciler.backends.emulation.settings import EmulatorSettings

# What the knobs apply to when this app is served alone: every Datadog API path.
API_PREFIX = "/api/"


def _error(status: int, *errors: str) -> JSONResponse:
    return JSONResponse({"errors": list(errors)}, status_code=status)


def _widget_json(widget: StoredWidget) -> dict[str, Any]:
    return {
        "id": widget.id,
        "type": "widgets",
        "attributes": {
            "created_at": widget.created_at,
            "definition": widget.definition,
            "is_favorited": widget.is_favorited,
            "modified_at": widget.modified_at,
            "tags": widget.tags,
        },
        "relationships": {
            "created_by": {"data": {"id": widget.created_by, "type": "users"}},
            "modified_by": {"data": {"id": widget.modified_by, "type": "users"}},
        },
    }


class WidgetsApi:
    """Request handlers; each authenticates, validates, then does one store operation."""

    def __init__(
        self, store: WidgetStore, users: Mapping[str, UserProfile], api_keys: frozenset[str] | None = None
    ) -> None:
        self.store = store
        # Keyed by application key; keys not listed get a stable derived identity.
        self.users = users
        # When set, only these API keys are accepted; otherwise any non-empty key is.
        self.api_keys = api_keys

    def _caller(self, request: Request) -> User:
        api_key = request.headers.get("dd-api-key", "")
        app_key = request.headers.get("dd-application-key", "")
        if not api_key or not app_key:
            raise InvalidRequest(["Forbidden: both DD-API-KEY and DD-APPLICATION-KEY headers are required"], 403)
        if self.api_keys is not None and api_key not in self.api_keys:
            raise InvalidRequest(["Forbidden: the API key is not valid"], 403)
        user = user_for_app_key(app_key, self.users)
        self.store.ensure_user(user)
        return user

    def _included(self, widgets: list[StoredWidget]) -> list[dict[str, Any]]:
        ids = {w.created_by for w in widgets} | {w.modified_by for w in widgets}
        return [
            {"id": u.id, "type": "users", "attributes": {"handle": u.handle, "name": u.name}}
            for u in self.store.users(ids)
        ]

    def _one(self, widget: StoredWidget) -> JSONResponse:
        return JSONResponse({"data": _widget_json(widget), "included": self._included([widget])})

    async def collection(self, request: Request) -> Response:
        user = self._caller(request)
        experience_type = check_experience_type(request.path_params["experience_type"])
        if request.method == "POST":
            check_json_content_type(request.headers.get("content-type"))
            write = parse_widget_write(await request.body())
            return self._one(self.store.create(experience_type, write.definition, write.tags, user.id))
        query = parse_search(experience_type, user.id, request.query_params)
        result = self.store.search(query)
        return JSONResponse(
            {
                "data": [_widget_json(w) for w in result.widgets],
                "included": self._included(result.widgets),
                "meta": {
                    "created_by_anyone_total": result.created_by_anyone_total,
                    "created_by_you_total": result.created_by_you_total,
                    "favorited_by_you_total": result.favorited_by_you_total,
                    "filtered_total": result.filtered_total,
                },
            }
        )

    async def item(self, request: Request) -> Response:
        user = self._caller(request)
        experience_type = check_experience_type(request.path_params["experience_type"])
        widget_id = check_uuid(request.path_params["uuid"])
        not_found = _error(404, f"Widget {widget_id} not found")
        if request.method == "GET":
            widget = self.store.get(experience_type, widget_id, user.id)
            return not_found if widget is None else self._one(widget)
        if request.method == "PUT":
            check_json_content_type(request.headers.get("content-type"))
            write = parse_widget_write(await request.body())
            updated = self.store.replace(experience_type, widget_id, write.definition, write.tags, user.id)
            return not_found if updated is None else self._one(updated)
        deleted = self.store.soft_delete(experience_type, widget_id)
        return Response(status_code=204) if deleted else not_found

    async def favorite(self, request: Request) -> Response:
        """Not part of the Widgets API (Datadog favourites through another API); lets tests set them."""
        user = self._caller(request)
        experience_type = check_experience_type(request.path_params["experience_type"])
        widget_id = check_uuid(request.path_params["uuid"])
        if self.store.get(experience_type, widget_id, user.id) is None:
            return _error(404, f"Widget {widget_id} not found")
        self.store.set_favorite(user.id, widget_id, request.method == "PUT")
        return Response(status_code=204)


async def _invalid_request(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidRequest)
    return _error(exc.status, *exc.errors)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's 405 carries the route's `Allow` header; RFC 9110 requires it.
    return JSONResponse({"errors": [exc.detail]}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> Response:
    return _error(500, f"Internal Server Error: {type(exc).__name__}")


def widgets_app(
    store: WidgetStore, users: Mapping[str, UserProfile] | None = None, api_keys: frozenset[str] | None = None
) -> ASGIApp:
    """The Widgets API's routes over `store`, without knobs: whoever serves it adds them."""
    api = WidgetsApi(store, users or {}, api_keys)
    collection_path = "/api/v2/widgets/{experience_type}"
    item_path = collection_path + "/{uuid}"
    return Starlette(
        routes=[
            Route(collection_path, api.collection, methods=["GET", "POST"]),
            Route(item_path, api.item, methods=["GET", "PUT", "DELETE"]),
            Route("/_emulator/favorites/{experience_type}/{uuid}", api.favorite, methods=["PUT", "DELETE"]),
        ],
        exception_handlers={
            InvalidRequest: _invalid_request,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )


def create_app(
    store: WidgetStore | None = None, settings: EmulatorSettings | None = None
) -> tuple[ASGIApp, RequestStats]:
    """The emulator app served alone (in process, for `--site local` and tests), and its live request counters.

    Settings' `users` and `api_keys` options apply as in the served emulator.
    """
    settings = settings or EmulatorSettings()
    app = widgets_app(store or WidgetStore(), settings.options.get("users"), settings.options.get("api_keys"))
    stats = RequestStats()
    return StatsEndpoint(KnobsMiddleware(app, settings, stats, prefixes=(API_PREFIX,)), stats), stats


def mounted(db: str | Path, options: Mapping[str, Any]) -> tuple[ASGIApp, WidgetStore]:
    """The app and its store over the shared state file, as the emulator server mounts it (its registration)."""
    store = WidgetStore(db)
    return widgets_app(store, options.get("users"), options.get("api_keys")), store
