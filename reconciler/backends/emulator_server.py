"""One emulator for every API, served over real HTTP with uvicorn: for `wac emulator`, tests and benchmarks.

Each backend's emulator answers its own paths (`/api/v2/widgets/…`, `/dashboard/v1/custom-widget/…`)
on one port, over one SQLite file, behind the same latency, rate-limit and fault knobs.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from reconciler.backends.datadog_dashboards.emulator.app import PREFIX as DASHBOARDS_PREFIX
from reconciler.backends.datadog_dashboards.emulator.app import create_dashboards_app
from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore
from reconciler.backends.datadog_widgets.emulator.app import create_app
from reconciler.backends.datadog_widgets.emulator.knobs import KnobsMiddleware, RequestStats
from reconciler.backends.datadog_widgets.emulator.settings import EmulatorSettings
from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
from reconciler.backends.spaceone_widgets.emulator.app import PREFIX as SPACEONE_PREFIX
from reconciler.backends.spaceone_widgets.emulator.app import create_spaceone_app
from reconciler.backends.spaceone_widgets.emulator.settings import SpaceOneSettings
from reconciler.backends.spaceone_widgets.emulator.store import CustomWidgetStore


@dataclass(frozen=True)
class Stores:
    widgets: WidgetStore
    custom_widgets: CustomWidgetStore
    dashboards: DashboardStore

    def close(self) -> None:
        self.widgets.close()
        self.custom_widgets.close()
        self.dashboards.close()


class _ByPath:
    """Hands each request to the API whose path prefix it starts with; Datadog's app takes the rest."""

    def __init__(self, routes: tuple[tuple[str, ASGIApp], ...], default: ASGIApp) -> None:
        self.routes = routes
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        for prefix, app in self.routes:
            if path.startswith(prefix):
                await app(scope, receive, send)
                return
        await self.default(scope, receive, send)


def create_emulator(
    db: str | Path = ":memory:",
    settings: EmulatorSettings | None = None,
    spaceone: SpaceOneSettings | None = None,
) -> tuple[ASGIApp, RequestStats, Stores]:
    """Every API's emulator as one ASGI app over one database file, with its shared request counters."""
    settings = settings or EmulatorSettings()
    stores = Stores(WidgetStore(db), CustomWidgetStore(db), DashboardStore(db))
    datadog, stats = create_app(stores.widgets, settings)
    custom_widgets = KnobsMiddleware(
        create_spaceone_app(stores.custom_widgets, spaceone), settings, stats, prefixes=(SPACEONE_PREFIX,)
    )
    users = {key: (profile.handle, profile.name) for key, profile in settings.users.items()}
    dashboards = KnobsMiddleware(
        create_dashboards_app(stores.dashboards, users), settings, stats, prefixes=(DASHBOARDS_PREFIX,)
    )
    routes = ((SPACEONE_PREFIX, custom_widgets), (DASHBOARDS_PREFIX, dashboards))
    return _ByPath(routes, datadog), stats, stores


class ServeError(OSError):
    """The emulator could not start: the address is taken or not this machine's, or the state file is unusable."""


def serve(
    host: str,
    port: int,
    db: str | Path,
    settings: EmulatorSettings,
    on_ready: Callable[[int], None] = lambda _: None,
    spaceone: SpaceOneSettings | None = None,
) -> None:
    """Serve until interrupted; the database file keeps state across restarts."""
    try:
        listener = _listen(host, port)
    except (OSError, OverflowError) as exc:
        reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}; choose another --port or --host") from None
    try:
        app, _, _ = create_emulator(db, settings, spaceone)
    except Exception as exc:
        listener.close()
        raise ServeError(f"cannot use the state file {db}: {exc}") from None
    on_ready(int(listener.getsockname()[1]))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
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


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    stats: RequestStats
    store: WidgetStore
    custom_widgets: CustomWidgetStore
    dashboards: DashboardStore


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
def emulator_thread(
    db: str | Path = ":memory:",
    settings: EmulatorSettings | None = None,
    host: str = "127.0.0.1",
    spaceone: SpaceOneSettings | None = None,
) -> Iterator[RunningEmulator]:
    """A loopback server on a free port in a background thread, stopped on exit."""
    app, stats, stores = create_emulator(db, settings, spaceone)
    # Bound here and handed over, so no other process can take the port between choosing and serving.
    listener = _listen(host, 0)
    port = int(listener.getsockname()[1])
    server = _PromptServer(uvicorn.Config(app, log_level="critical", access_log=False))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[listener])), daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"the emulator could not start on {host}:{port}")
        threading.Event().wait(0.01)
    try:
        yield RunningEmulator(f"http://{host}:{port}", stats, stores.widgets, stores.custom_widgets, stores.dashboards)
    finally:
        server.should_exit = server.force_exit = True
        thread.join(timeout=10)
        listener.close()
        stores.close()


@contextmanager
def emulator_process(db: str | Path, *options: str, host: str = "127.0.0.1") -> Iterator[str]:
    """`wac emulator` in its own process (its own GIL, as in production), yielding its URL."""
    import subprocess
    import sys
    import time

    import httpx

    port = free_port(host)
    command = [
        sys.executable,
        "-m",
        "reconciler",
        "emulator",
        "--host",
        host,
        "--port",
        str(port),
        "--db",
        str(db),
        *options,
    ]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/_emulator/stats", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"wac emulator did not start on {url}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
