"""Datadog's keys for every Datadog kind: DD_API_KEY and DD_APP_KEY, or the emulator's on `--site local`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from reconciler.backends.connection import SettingsError, SettingsMissing
from reconciler.backends.sites import Site
from reconciler.core.redaction import redact

# Visible ASCII only: what Datadog's keys are made of, and all a header can carry safely.
HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")
LOCAL_KEYS: Final = ("local-api-key", "local-app-key")


@dataclass(frozen=True)
class Credentials:
    api_key: str = field(repr=False)
    app_key: str = field(repr=False)

    def redact(self, text: str) -> str:
        """The text with every key replaced, in any form it may take: the last guard before anything is printed."""
        return redact(text, (self.api_key, self.app_key))


def credentials_for(site: Site, environ: Mapping[str, str]) -> Credentials:
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
        raise SettingsMissing(
            f"{' and '.join(missing)} not set: site '{site.name}' needs both keys in the environment"
            " (or use --site local to try the embedded emulator)"
        )
    return Credentials(api_key, app_key)
