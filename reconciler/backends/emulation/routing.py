"""One ASGI app over several: each request goes to the emulator whose path prefix it starts with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send


class EmulatedStore(Protocol):
    """What the server needs of an emulator's state: a way to let go of its file."""

    def close(self) -> None: ...


class ByPath:
    """Hands each request to the app with the longest prefix its path starts with; `default` takes the rest."""

    def __init__(self, routes: Sequence[tuple[str, ASGIApp]], default: ASGIApp) -> None:
        # Longest first, so `/api/v1/dashboard` wins over `/api/` whatever order the emulators were given in.
        self.routes = sorted(routes, key=lambda route: len(route[0]), reverse=True)
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        for prefix, app in self.routes:
            if path.startswith(prefix):
                await app(scope, receive, send)
                return
        await self.default(scope, receive, send)
