"""httpx's ASGI transport for the in-process emulator, with dropped connections raised as httpx raises them."""

from __future__ import annotations

import httpx

from reconciler.backends.emulation.knobs import ConnectionDropped


class InProcessTransport(httpx.ASGITransport):
    """Drives the emulator app in this process; a fault that drops the connection looks like one."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
