"""How a run connects to its backends: what each backend is given, and what it hands back.

A backend resolves its own credentials from the environment and config, says which values are
secret (every message is redacted of them), and opens itself for the run's length.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.backends.policy import RetryPolicy
from reconciler.backends.sites import Site
from reconciler.core.backend import Backend


class SettingsError(ValueError):
    """A setting or credential is missing or unusable; the message names it and never its value."""


class SettingsMissing(SettingsError):
    """A backend's settings or credentials are not set at all: its kind is simply not used here."""


@dataclass(frozen=True)
class Connection:
    """What every backend may connect with: `--site` (a Datadog site, `local` or an emulator URL serving
    every backend), the environment, `.wac.yaml`, and the run's limits."""

    site: Site
    environ: Mapping[str, str] = field(repr=False)
    config: Mapping[str, str]
    parallelism: int
    policy: RetryPolicy
    # Where a backend may keep what saves reads between runs (plan and drift only; None: read everything
    # afresh, as apply always does). Never trusted over the API.
    cache_folder: Path | None = None


@dataclass(frozen=True)
class Connected:
    """A backend ready to open: the values to keep out of every message, and how to open it."""

    secrets: tuple[str, ...] = field(repr=False)
    open: Callable[[], AbstractAsyncContextManager[Backend]]
    # True when the user configured this backend (its settings or credentials are set); a run then
    # reads it even when no manifest uses its kind, so removing the kind's last manifest deletes.
    configured: bool = True


Connect = Callable[[Connection], Connected]
"""Resolves a backend's credentials (SettingsError when unusable) without any request."""
