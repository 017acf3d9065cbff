"""Where a run's settings come from (flags, environment, config file), and the client they open."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from reconciler.backends.datadog_widgets.client import RetryPolicy, WidgetsClient
from reconciler.backends.datadog_widgets.sites import Site
from reconciler.backends.datadog_widgets.vocabulary import DEFAULT_PARALLELISM
from reconciler.core.backend import Backend
from reconciler.core.identity import owner_problem
from reconciler.core.redaction import redact
from reconciler.manifests.documents import syntax_problem

# Visible ASCII only: what Datadog's keys are made of, and all a header can carry safely.
HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")
CONFIG_FILE: Final = Path(".wac.yaml")
DEFAULT_OWNER: Final = "default"
LOCAL_KEYS: Final = ("local-api-key", "local-app-key")
DEFAULT_SITE: Final = "datadoghq.com"
CONFIG_KEYS: Final = {
    "owner": "my-team",
    "site": "datadoghq.eu",
    # SPEC §10: where a SpaceONE backend connects (never its token); read by that backend.
    "spaceone.endpoint": "https://spaceone.example.com",
    "spaceone.domain_id": "domain-1234",
}


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Credentials:
    api_key: str = field(repr=False)
    app_key: str = field(repr=False)

    def redact(self, text: str) -> str:
        """The text with every key replaced, in any form it may take: the last guard before anything is printed."""
        return redact(text, (self.api_key, self.app_key))


def resolve_owner(flag: str | None, environ: Mapping[str, str] = os.environ, config: Path = CONFIG_FILE) -> str:
    return checked_owner(explicit_owner(flag, environ, config) or DEFAULT_OWNER)


def explicit_owner(flag: str | None, environ: Mapping[str, str] = os.environ, config: Path = CONFIG_FILE) -> str | None:
    """The owner someone chose (flag, then WAC_OWNER, then .wac.yaml), or None when nobody did."""
    owner = flag or environ.get("WAC_OWNER") or read_config(config).get("owner")
    return checked_owner(owner) if owner else None


def explicit_site(flag: str | None, config: Path = CONFIG_FILE) -> str | None:
    """The site someone chose (--site or DD_SITE, which click reads into the flag, then .wac.yaml), or None."""
    return flag or read_config(config).get("site") or None


def checked_owner(owner: str) -> str:
    problem = owner_problem(owner)
    if problem:
        raise SettingsError(problem)
    return owner


def read_config(config: Path = CONFIG_FILE) -> dict[str, str]:
    """`.wac.yaml`: `owner`, `site` and `spaceone:` `endpoint`/`domain_id`, each text; anything else is an error."""
    if not config.is_file():
        return {}
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        problem = syntax_problem(exc)
        raise SettingsError(f"{config}:{problem.line}:{problem.column}: {problem.message}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"{config}: cannot read the config file ({type(exc).__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{config}: expected a mapping like `owner: my-team` and `site: datadoghq.eu`")
    flat = _flattened(config, data)
    unknown = sorted(key for key in flat if key not in CONFIG_KEYS)
    if unknown:
        raise SettingsError(f"{config}: unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(CONFIG_KEYS)}")
    for key, value in flat.items():
        if value is not None and not isinstance(value, str):
            raise SettingsError(f"{config}: `{key}` must be text, like `{key}: {CONFIG_KEYS[key]}`")
    return {key: value for key, value in flat.items() if value}


def _flattened(config: Path, data: dict[Any, Any]) -> dict[str, Any]:
    """`spaceone: {endpoint: …}` as `spaceone.endpoint`; one level of nesting, no more."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                if isinstance(inner_value, (dict, list)):
                    raise SettingsError(f"{config}: `{key}.{inner}` must be text")
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[str(key)] = value
    return flat


def credentials_for(site: Site, environ: Mapping[str, str] = os.environ) -> Credentials:
    api_key = environ.get("DD_API_KEY", "")
    app_key = environ.get("DD_APP_KEY") or environ.get("DD_APPLICATION_KEY", "")
    for name, value in (("DD_API_KEY", api_key), ("DD_APP_KEY", app_key)):
        if value and not HEADER_SAFE.fullmatch(value):
            # Never echoed: the sentence says what is wrong with the key, not what it is.
            raise SettingsError(
                f"{name} holds a character an HTTP header cannot carry (a space, a line break or a control"
                f" character, often a trailing newline from a file); set it again with the key alone"
            )
    if site.is_local:
        return Credentials(api_key or LOCAL_KEYS[0], app_key or LOCAL_KEYS[1])
    missing = [name for name, value in (("DD_API_KEY", api_key), ("DD_APP_KEY", app_key)) if not value]
    if missing:
        raise SettingsError(
            f"{' and '.join(missing)} not set: site '{site.name}' needs both keys in the environment"
            " (or use --site local to try the embedded emulator)"
        )
    return Credentials(api_key, app_key)


@asynccontextmanager
async def open_backends(
    site: Site, credentials: Credentials, parallelism: int = DEFAULT_PARALLELISM, policy: RetryPolicy | None = None
) -> AsyncIterator[dict[str, Backend]]:
    """Every backend of a run, by kind, each over its own client; closed when the run ends."""
    from reconciler.backends.datadog_widgets.backend import DatadogWidgets

    async with open_client(site, credentials, parallelism, policy) as client:
        widgets = DatadogWidgets(client)
        yield {widgets.kind: widgets}


def open_client(
    site: Site, credentials: Credentials, parallelism: int = DEFAULT_PARALLELISM, policy: RetryPolicy | None = None
) -> WidgetsClient:
    """A client for the site; `local` drives the emulator in this process over its SQLite state."""
    transport = None
    if site.local_db is not None:
        from reconciler.backends.datadog_widgets.emulator.app import create_app
        from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
        from reconciler.backends.datadog_widgets.emulator.transport import InProcessTransport

        app, _ = create_app(WidgetStore(site.local_db))
        transport = InProcessTransport(app=app)
    return WidgetsClient(
        site, credentials.api_key, credentials.app_key, parallelism=parallelism, policy=policy, transport=transport
    )
