"""Where a run's settings come from: flags, environment and `.wac.yaml` (owner, site, backend settings)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import click
import yaml

from reconciler.backends.connection import SettingsError
from reconciler.backends.registry import BACKENDS, BY_KIND
from reconciler.core.identity import id_problem, owner_problem
from reconciler.manifests.documents import syntax_problem

__all__ = ["SettingsError", "explicit_owner", "explicit_site", "read_config", "resolve_owner"]

CONFIG_FILE: Final = Path(".wac.yaml")
ENVIRONMENTS: Final = "environments"
# What only an environment holds: values for templates, and which manifests it plans.
ENVIRONMENT_ONLY: Final = ("values", "manifests")
DEFAULT_OWNER: Final = "default"
DEFAULT_SITE: Final = "datadoghq.com"
CONFIG_KEYS: Final = {
    "owner": "my-team",
    "site": "datadoghq.eu",
    # Each backend's own keys (where it connects, never a secret), each with an example; read by that backend.
    **{setting.key: setting.example for backend in BACKENDS for setting in backend.settings},
    # The kinds this repository manages: every run reads them, so removing a kind's last manifest deletes.
    "kinds": f"[{', '.join(BY_KIND)}]",
    # Resources to let go (KIND/ID): their marker is removed and they are never deleted.
    "forget": "[datadog/dashboard/old-board]",
}


def resolve_owner(flag: str | None, environ: Mapping[str, str] = os.environ, config: Path = CONFIG_FILE) -> str:
    return checked_owner(explicit_owner(flag, environ, config) or DEFAULT_OWNER)


def explicit_owner(flag: str | None, environ: Mapping[str, str] = os.environ, config: Path = CONFIG_FILE) -> str | None:
    """The owner someone chose (flag, then WAC_OWNER, then .wac.yaml), or None when nobody did."""
    if flag is not None and not flag:
        raise SettingsError(
            "--owner is empty; give the owner's name, or leave the flag out to use WAC_OWNER or .wac.yaml"
        )
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
    if _links_outside(config):
        raise SettingsError(
            f"{config} is a symbolic link to somewhere outside the repository; wac reads its settings only from"
            " inside it (make it a real file)"
        )
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
    environments = data.pop(ENVIRONMENTS, None)
    flat = _flattened(config, data)
    _check_environments(config, environments, flat)
    chosen = selected_environment(config, environments)
    if chosen is not None:
        flat.update(_flattened(config, {k: v for k, v in chosen.items() if k not in ENVIRONMENT_ONLY}))
    return _checked(config, flat)


def _checked(config: Path, flat: dict[str, Any]) -> dict[str, str]:
    """Known settings only, each text (`kinds` a list of registered kinds, kept as one text)."""
    unknown = sorted(key for key in flat if key not in CONFIG_KEYS)
    if unknown:
        raise SettingsError(f"{config}: unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(CONFIG_KEYS)}")
    if "kinds" in flat:
        flat["kinds"] = _kinds(config, flat["kinds"])
    if "forget" in flat:
        flat["forget"] = _forget(config, flat["forget"])
    for key, value in flat.items():
        if value is not None and not isinstance(value, str):
            raise SettingsError(f"{config}: `{key}` must be text, like `{key}: {CONFIG_KEYS[key]}`")
    return {key: value for key, value in flat.items() if value}


_ENVIRONMENT_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _check_environments(config: Path, environments: Any, top: Mapping[str, Any]) -> None:
    """Names that can be a workflow's matrix value, and never two environments with one owner on one site:
    the plan of one would delete what the other applied."""
    if not isinstance(environments, dict):
        return
    seen: dict[tuple[str, str], str] = {}
    for name, settings in environments.items():
        if not isinstance(name, str) or not _ENVIRONMENT_NAME.match(name):
            raise SettingsError(f"{config}: environment name '{str(name)[:40]}' is not allowed; use a-z, 0-9, - and _")
        settings = settings if isinstance(settings, dict) else {}
        owner = str(settings.get("owner") or top.get("owner") or DEFAULT_OWNER)
        site = str(settings.get("site") or top.get("site") or DEFAULT_SITE)
        other = seen.setdefault((owner, site), name)
        if other != name:
            raise SettingsError(
                f"{config}: environments {other} and {name} both plan owner '{owner}' on site {site}, so each"
                " plan would delete what the other applied; give each its own `owner:` (or `site:`)"
            )


@dataclass(frozen=True)
class Environment:
    """The environment a run is for (`--env` or WAC_ENV): its name, values for templates, and its manifests."""

    name: str
    values: Mapping[str, str | int | float | bool]
    paths: tuple[str, ...]


def environment_name(environ: Mapping[str, str] = os.environ) -> str | None:
    """The environment chosen by --env for this command, else WAC_ENV, else None."""
    context = click.get_current_context(silent=True)
    chosen = context.find_root().meta.get("wac.env") if context is not None else None
    return chosen or environ.get("WAC_ENV") or None


def selected_environment(config: Path, environments: Any, name: str | None = None) -> dict[str, Any] | None:
    """The chosen environment's mapping from `environments:`, None when none is chosen; a wrong name, or an
    environment written wrongly, is a sentence naming it."""
    if environments is not None and not (
        isinstance(environments, dict) and all(isinstance(v, dict) for v in environments.values())
    ):
        raise SettingsError(f"{config}: `environments` maps each name to its settings, like `staging: {{site: …}}`")
    name = name or environment_name()
    if name is None:
        return None
    if not environments or name not in environments:
        known = ", ".join(environments or {}) or "none"
        raise SettingsError(f"environment '{name}' is not under `environments:` in {config} (it names {known})")
    chosen: dict[str, Any] = environments[name]
    unknown = sorted(set(chosen) - {*CONFIG_KEYS, *ENVIRONMENT_ONLY, *(k.split(".")[0] for k in CONFIG_KEYS)})
    if unknown:
        raise SettingsError(f"{config}: environments.{name}: unknown setting '{unknown[0]}'")
    return chosen


def environment_names(config: Path = CONFIG_FILE) -> tuple[str, ...]:
    """Every environment `.wac.yaml` names, in its order."""
    read_config(config)
    data = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    environments = data.get(ENVIRONMENTS) if isinstance(data, dict) else None
    return tuple(environments or ())


def read_environment(config: Path = CONFIG_FILE, name: str | None = None) -> Environment | None:
    """The chosen environment (`name`, else --env or WAC_ENV) with its `values` (text, numbers, true/false) and
    `manifests` (paths), or None when none is chosen."""
    name = name or environment_name()
    if name is None:
        return None
    read_config(config)  # the whole file checked first
    data = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else {}
    chosen = selected_environment(config, (data or {}).get(ENVIRONMENTS), name) or {}
    return Environment(name, _values(config, name, chosen), _paths(config, name, chosen))


def _values(config: Path, name: str, chosen: dict[str, Any]) -> dict[str, str | int | float | bool]:
    values = chosen.get("values") or {}
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in values.items()
    ):
        raise SettingsError(f"{config}: environments.{name}.values maps names to text, numbers or true/false")
    return values


def _paths(config: Path, name: str, chosen: dict[str, Any]) -> tuple[str, ...]:
    paths = chosen.get("manifests") or []
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise SettingsError(f"{config}: environments.{name}.manifests is a list of paths, like [widgets/]")
    # The file is in the repository, and a pull request may change it: it names folders of the repository only.
    for path in paths:
        if _leaves_the_repository(path):
            raise SettingsError(
                f"{config}: environments.{name}.manifests: {path[:200]!r} is not a relative path inside the"
                " repository (like widgets/prod/); to plan files elsewhere, give their paths on the command line"
            )
    return tuple(paths)


def _links_outside(config: Path) -> bool:
    """A config file in the repository (by its name) that is a link leading out of it."""
    here = Path.cwd().resolve()
    if not config.is_symlink() or not Path(os.path.abspath(config)).is_relative_to(here):
        return False
    return not config.resolve().is_relative_to(here)


def _leaves_the_repository(path: str) -> bool:
    if "\x00" in path or Path(path).is_absolute() or path.startswith("~"):
        return True
    depth = 0
    for part in Path(path).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return False


def _kinds(config: Path, value: Any) -> str:
    """`kinds:` as a list of registered kinds, kept as one space-separated text like every other setting."""
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise SettingsError(f"{config}: `kinds` must be a list of kinds, like `kinds: {CONFIG_KEYS['kinds']}`")
    unknown = [kind for kind in value if kind not in BY_KIND]
    if unknown:
        raise SettingsError(f"{config}: `kinds` names '{unknown[0]}', which is not a kind; use {', '.join(BY_KIND)}")
    return " ".join(dict.fromkeys(value))


def _forget(config: Path, value: Any) -> str:
    """`forget:` as KIND/ID entries of registered kinds and valid ids, kept as one space-separated text."""
    example = CONFIG_KEYS["forget"]
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise SettingsError(f"{config}: `forget` must be a list of KIND/ID, like `forget: {example}`")
    for entry in value:
        kind = next((k for k in BY_KIND if entry.startswith(f"{k}/")), None)
        problem = "its kind is not one of " + ", ".join(BY_KIND) if kind is None else id_problem(entry[len(kind) + 1 :])
        if problem:
            raise SettingsError(f"{config}: `forget` entry '{entry[:80]}': {problem}")
    return " ".join(dict.fromkeys(value))


def configured_forget(config: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(config.get("forget", "").split())


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
