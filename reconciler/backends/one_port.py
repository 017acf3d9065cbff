"""At `--site local`, one in-process transport to every registered emulator at once: for an API whose
resources another emulator serves (a list's dashboards, a powerpack's edit lock)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Final

import httpx

from reconciler.backends.registration import load
from reconciler.backends.sites import Site

# The one-port emulator every registered API answers on, as `wac emulator` serves it (by name: no backend
# imports the emulator server).
ONE_PORT_EMULATOR: Final = "reconciler.backends.emulator_server:create_emulator"


def one_port_transport(site: Site, stack: AsyncExitStack) -> httpx.AsyncBaseTransport | None:
    """The transport over the local site's state file, its stores closed with `stack`; None for any other site."""
    if site.local_db is None:
        return None
    app, _, stores = load(ONE_PORT_EMULATOR)(site.local_db)
    for store in stores.values():
        stack.callback(store.close)
    return httpx.ASGITransport(app=app)
