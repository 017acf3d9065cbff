"""A synchronous httpx transport onto an ASGI app in this process: HTTP exchanges without a socket."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import ASGIApp


class SyncASGITransport(httpx.BaseTransport):
    """Runs each request through `httpx.ASGITransport` on one event loop kept for the transport's life."""

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def exchange() -> httpx.Response:
            answer = await self._asgi.handle_async_request(request)
            body = await answer.aread()
            return httpx.Response(answer.status_code, headers=answer.headers, content=body, request=request)

        return self._loop.run_until_complete(exchange())

    def close(self) -> None:
        self._loop.close()
