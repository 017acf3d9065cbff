"""The emulated Datadog Widgets v2 API as an ASGI app (starlette), for in-process or served use."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reconciler.backends.datadog_widgets.emulator.identity import user_for_app_key
from reconciler.backends.datadog_widgets.emulator.knobs import KnobsMiddleware, RequestStats
from reconciler.backends.datadog_widgets.emulator.request_checks import (
    InvalidRequest,
    check_experience_type,
    check_json_content_type,
    check_uuid,
    parse_search,
    parse_widget_write,
)
from reconciler.backends.datadog_widgets.emulator.settings import EmulatorSettings
from reconciler.backends.datadog_widgets.emulator.store import StoredWidget, User, WidgetStore


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

    def __init__(self, store: WidgetStore, settings: EmulatorSettings) -> None:
        self.store = store
        self.settings = settings

    def _caller(self, request: Request) -> User:
        api_key = request.headers.get("dd-api-key", "")
        app_key = request.headers.get("dd-application-key", "")
        if not api_key or not app_key:
            raise InvalidRequest(["Forbidden: both DD-API-KEY and DD-APPLICATION-KEY headers are required"], 403)
        if self.settings.api_keys is not None and api_key not in self.settings.api_keys:
            raise InvalidRequest(["Forbidden: the API key is not valid"], 403)
        user = user_for_app_key(app_key, self.settings.users)
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


def create_app(
    store: WidgetStore | None = None, settings: EmulatorSettings | None = None
) -> tuple[ASGIApp, RequestStats]:
    """The emulator app and the live request counters it keeps."""
    settings = settings or EmulatorSettings()
    api = WidgetsApi(store or WidgetStore(), settings)
    stats = RequestStats()

    async def stats_endpoint(_: Request) -> Response:
        return JSONResponse(stats.as_dict())

    collection_path = "/api/v2/widgets/{experience_type}"
    item_path = collection_path + "/{uuid}"
    app = Starlette(
        routes=[
            Route(collection_path, api.collection, methods=["GET", "POST"]),
            Route(item_path, api.item, methods=["GET", "PUT", "DELETE"]),
            Route("/_emulator/favorites/{experience_type}/{uuid}", api.favorite, methods=["PUT", "DELETE"]),
            Route("/_emulator/stats", stats_endpoint, methods=["GET"]),
        ],
        exception_handlers={
            InvalidRequest: _invalid_request,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    return KnobsMiddleware(app, settings, stats), stats
