"""What `wac init` writes into a new widgets repository: settings, one example per kind, the GitHub
workflows (which use this product's Action) and a short README, rendered from package templates.

The recipes in this repository's `.github/workflows` are the same templates rendered for the Action
at `./` (a test keeps them equal), so a fix to one is a fix to both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Final

from reconciler import __version__

ACTION_REPOSITORY: Final = "widgets-as-code/widgets-as-code"
DEFAULT_ACTION: Final = f"{ACTION_REPOSITORY}@v{__version__}"
SCHEMA_PATH: Final = "widgets/manifest.schema.json"
WORKFLOWS: Final = ("widgets-plan.yml", "widgets-apply.yml", "widgets-drift.yml")


@dataclass(frozen=True)
class ScaffoldFile:
    path: str
    text: str


def template(name: str) -> str:
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")


def _filled(text: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def yaml_scalar(value: str) -> str:
    """A value as a double-quoted YAML scalar: JSON's string syntax is YAML's, so nothing in it is structure."""
    return json.dumps(value, ensure_ascii=False)


def workflows(action: str, owner: str, site: str) -> list[ScaffoldFile]:
    """The plan, apply and drift workflows; `owner` and `site` are YAML scalars (a value or an expression)."""
    values = {"ACTION": action, "OWNER": owner, "SITE": site}
    return [
        ScaffoldFile(f".github/workflows/{name}", _filled(template(f"workflows/{name}"), values)) for name in WORKFLOWS
    ]


def scaffold(
    owner: str,
    site: str,
    kinds: Iterable[str],
    schema: str,
    action: str = DEFAULT_ACTION,
    examples: Iterable[tuple[str, str]] = (),
) -> list[ScaffoldFile]:
    """Every file of a new widgets repository for this owner and site, managing `kinds`, with `examples`: each
    a template under `templates/` and where it is written (the caller reads them from each kind's backend)."""
    managed = list(dict.fromkeys(kinds))
    settings = {
        "OWNER": yaml_scalar(owner),
        "SITE": yaml_scalar(site),
        "OWNER_TEXT": owner,
        "SITE_TEXT": site,
        "KINDS": "[" + ", ".join(yaml_scalar(kind) for kind in managed) + "]",
    }
    files = [
        ScaffoldFile(".wac.yaml", _filled(template("wac.yaml"), settings)),
        ScaffoldFile(".gitignore", template("gitignore")),
        ScaffoldFile("README.md", _filled(template("README.md"), settings)),
        ScaffoldFile(SCHEMA_PATH, schema),
    ]
    files += [ScaffoldFile(path, template(name)) for name, path in examples]
    return files + workflows(action, yaml_scalar(owner), yaml_scalar(site))
