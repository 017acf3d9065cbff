"""Where requests go: a Datadog site, the URL of a running emulator, or the in-process emulator."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

DATADOG_SITES: Final = {
    "datadoghq.com": "https://api.datadoghq.com",
    "us3.datadoghq.com": "https://api.us3.datadoghq.com",
    "us5.datadoghq.com": "https://api.us5.datadoghq.com",
    "datadoghq.eu": "https://api.datadoghq.eu",
    "ap1.datadoghq.com": "https://api.ap1.datadoghq.com",
    "ap2.datadoghq.com": "https://api.ap2.datadoghq.com",
    "ddog-gov.com": "https://api.ddog-gov.com",
    "us2.ddog-gov.com": "https://api.us2.ddog-gov.com",
}
LOCAL: Final = "local"
LOCAL_STATE: Final = Path(".wac") / "local.sqlite3"


class SiteError(ValueError):
    pass


@dataclass(frozen=True)
class Site:
    """A resolved site: `base_url` for HTTP, or `local_db` for the in-process emulator."""

    name: str
    base_url: str
    local_db: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.local_db is not None

    @property
    def is_emulator(self) -> bool:
        """`local`, or a URL on this machine: where `wac emulator` serves every API."""
        return self.is_local or _is_loopback(urlsplit(self.base_url).hostname or "")


def named_site(value: str) -> bool:
    """One of Datadog's sites or `local`: the sites a saved plan may choose by itself."""
    return value == LOCAL or value in DATADOG_SITES


def resolve_site(value: str, local_db: Path = LOCAL_STATE) -> Site:
    name = value.strip()
    if name == LOCAL:
        return Site(LOCAL, "http://local.wac", local_db)
    if name in DATADOG_SITES:
        return Site(name, DATADOG_SITES[name])
    if name.startswith(("app.", "api.")) and name[4:] in DATADOG_SITES:
        return Site(name[4:], DATADOG_SITES[name[4:]])
    if "://" in name:
        if "@" in name:
            # Not echoed: what stands before the '@' may be a password.
            raise SiteError("the site URL holds a user name or password; give scheme, host and port only")
        try:
            parts = urlsplit(name)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise SiteError(f"site '{value}' is not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SiteError(f"site '{value}' is not an http(s) URL")
        if parts.path.strip("/") or parts.query or parts.fragment:
            raise SiteError(f"site '{value}' must be a bare http(s) URL (scheme, host and port), without a path")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise SiteError(
                f"site '{value}' uses plain http to a non-loopback host; use https so keys are not sent in the clear"
            )
        return Site(name, name.rstrip("/"))
    allowed = ", ".join([LOCAL, *DATADOG_SITES])
    raise SiteError(f"unknown site '{value}'; use one of {allowed}, or an http(s) URL of an emulator")


def checked_endpoint(value: str, setting: str) -> str:
    """An API endpoint from a setting: an http(s) URL without credentials, https unless on this machine."""
    text = value.strip()
    if "@" in text:
        raise SiteError(f"{setting} holds a user name or password; give scheme, host and port only")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise SiteError(f"{setting} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SiteError(f"{setting} must be an http(s) URL like https://spaceone.example.com")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SiteError(
            f"{setting} uses plain http to a non-loopback host; use https so the token is not sent in the clear"
        )
    return text.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
