"""Where a run's settings come from: flags, environment and `.wac.yaml` (owner, site, backend settings)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from reconciler.backends.connection import SettingsError
from reconciler.backends.registry import BACKENDS, BY_KIND
from reconciler.core.identity import owner_problem
from reconciler.manifests.documents import syntax_problem

__all__ = ["SettingsError", "explicit_owner", "explicit_site", "read_config", "resolve_owner"]

CONFIG_FILE: Final = Path(".wac.yaml")
DEFAULT_OWNER: Final = "default"
DEFAULT_SITE: Final = "datadoghq.com"
CONFIG_KEYS: Final = {
    "owner": "my-team",
    "site": "datadoghq.eu",
    # Each backend's own keys (where it connects, never a secret), each with an example; read by that backend.
    **{setting.key: setting.example for backend in BACKENDS for setting in backend.settings},
    # The kinds this repository manages: every run reads them, so removing a kind's last manifest deletes.
    "kinds": f"[{', '.join(BY_KIND)}]",
}


def resolve_owner(flag: str | None, environ: Mapping[str, str] = os.environ, config: Path = CONFIG_FILE) -> str:
    return checked_owner(explicit_owner(flag, environ, config) or DEFAULT_OWNER)


def explicit_owner(flag: str | None, environ: Mapping[str, str] = os.environ, config: Path = CONFIG_FILE) -> str | None:
    """The owner someone chose (flag, then WAC_OWNER, then .wac.yaml), or None when nobody did."""
    owner = flag or environ.get("WAC_OWNER") or read_config(config).get("owner")
    return checked_owner(owner) if owner else None


def explicit_site(flag: str | None, config: Path = CONFIG_FILE) -> str | None:
    """The site someone chose (--site or DD_SITE, which click reads into the flag, then .wac.yaml), or None."""
    return flag or read_config(config).get("site") or None


def cache_folder(environ: Mapping[str, str] = os.environ) -> Path:
    """Where plan and drift keep what saves reads: `WAC_CACHE_DIR`, else the user's cache folder, outside any
    repository (a cache planted in a checkout could hide a change)."""
    chosen = environ.get("WAC_CACHE_DIR")
    if chosen:
        return Path(chosen).expanduser()
    base = environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "widgets-as-code"


def checked_owner(owner: str) -> str:
    problem = owner_problem(owner)
    if problem:
        raise SettingsError(problem)
    return owner


def read_config(config: Path = CONFIG_FILE) -> dict[str, str]:
    """`.wac.yaml`: `owner`, `site`, `kinds` and the backends' keys (`section: {key: …}`), each text; anything
    else is an error."""
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
    if "kinds" in flat:
        flat["kinds"] = _kinds(config, flat["kinds"])
    for key, value in flat.items():
        if value is not None and not isinstance(value, str):
            raise SettingsError(f"{config}: `{key}` must be text, like `{key}: {CONFIG_KEYS[key]}`")
    return {key: value for key, value in flat.items() if value}


def _kinds(config: Path, value: Any) -> str:
    """`kinds:` as a list of registered kinds, kept as one space-separated text like every other setting."""
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise SettingsError(f"{config}: `kinds` must be a list of kinds, like `kinds: {CONFIG_KEYS['kinds']}`")
    unknown = [kind for kind in value if kind not in BY_KIND]
    if unknown:
        raise SettingsError(f"{config}: `kinds` names '{unknown[0]}', which is not a kind; use {', '.join(BY_KIND)}")
    return " ".join(dict.fromkeys(value))


def configured_kinds(config: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(config.get("kinds", "").split())


def _flattened(config: Path, data: dict[Any, Any]) -> dict[str, Any]:
    """A backend's section (`section: {key: …}`) as `section.key`; one level of nesting, no more."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key != "kinds":
            for inner, inner_value in value.items():
                if isinstance(inner_value, (dict, list)):
                    raise SettingsError(f"{config}: `{key}.{inner}` must be text")
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[str(key)] = value
    return flat
