"""Serving an ASGI app with uvicorn on a socket bound first: for good (`wac emulator`) or in a thread (tests)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket, made as uvicorn makes its own.

    The protocol must be IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on sockets
    that say so, and with it on every answer waits ~40 ms for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except BaseException:
        listener.close()
        raise
    return listener


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def serve_forever(app: ASGIApp, listener: socket.socket) -> None:
    """Serve on `listener` until interrupted."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[listener])


class _PromptServer(uvicorn.Server):
    """Stops within milliseconds rather than uvicorn's 100+: a test suite starts and stops hundreds.

    It checks for its stop every 10 ms, and a forced exit skips uvicorn's fixed 100 ms grace
    sleep (connections are closed at once; nothing is waited for).
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if not self.force_exit:
            await super().shutdown(sockets)
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        for task in self.server_state.tasks:
            task.cancel()

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 8640000
            await asyncio.sleep(0.01)
            should_exit = await self.on_tick(counter)


@contextmanager
def served_in_thread(app: ASGIApp, host: str = "127.0.0.1") -> Iterator[int]:
    """The app on a free loopback port in a background thread, yielding the port; stopped on exit."""
    # Bound here and handed over, so no other process can take the port between choosing and serving.
    listener = listen(host, 0)
    port = int(listener.getsockname()[1])
    server = _PromptServer(uvicorn.Config(app, log_level="critical", access_log=False))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[listener])), daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"the emulator could not start on {host}:{port}")
            threading.Event().wait(0.01)
        yield port
    finally:
        server.should_exit = server.force_exit = True
        thread.join(timeout=10)
        listener.close()
