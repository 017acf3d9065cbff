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


def workflows(
    action: str, owner: str, site: str, environments: Iterable[str] = (), drift: str = "revert"
) -> list[ScaffoldFile]:
    """The plan, apply and drift workflows; `owner` and `site` are YAML scalars (a value or an expression).

    With environments, each workflow runs one job per environment (a matrix) with `--env`, which takes the
    environment's owner and site from .wac.yaml: one plan comment, one artifact, one drift issue each.
    """
    values = {"ACTION": action, "OWNER": owner, "SITE": site}
    named = list(environments)
    files = []
    for name in WORKFLOWS:
        text = template(f"workflows/{name}")
        text = _pulling(text) if drift == "pull" and name == "widgets-drift.yml" else text
        text = _per_environment(text, named) if named else text
        files.append(ScaffoldFile(f".github/workflows/{name}", _filled(text, values)))
    return files


# What changes in a workflow run per environment, each an exact line of the templates and its replacement.
_MATRIX: Final = "${{ matrix.environment }}"
_PER_ENVIRONMENT: Final = (
    ("          owner: @@OWNER@@\n          site: @@SITE@@\n", ""),
    ("          command: plan\n          paths: widgets/\n", "@ARGS@"),
    ("          command: drift\n          paths: widgets/\n", "@ARGS@"),
    ("          command: pull\n          paths: widgets/\n", "@ARGS@"),
    ("          branch: widgets-drift\n", f"          branch: widgets-drift-{_MATRIX}\n"),
    (
        "          title: Keep the edits made outside git\n",
        f"          title: Keep the edits made outside git ({_MATRIX})\n",
    ),
    ("          command: apply\n          paths: widgets/\n", '          command: apply\n          paths: ""\n'),
    ("          args: ${{ inputs.allow-mass-delete", f"          args: --env {_MATRIX} ${{{{ inputs.allow-mass-delete"),
    ("          header: widgets-as-code-plan\n", f"          header: widgets-as-code-plan-{_MATRIX}\n"),
    ("pull_request.number }}\n          path:", f"pull_request.number }}}}-{_MATRIX}\n          path:"),
    (
        "          REPORT: ${{ steps.drift.outputs.comment-markdown }}\n",
        "          REPORT: ${{ steps.drift.outputs.comment-markdown }}\n"
        f"          DRIFT_LABEL: widgets-drift-{_MATRIX}\n          ENVIRONMENT: {_MATRIX}\n",
    ),
    ('drifted from git" --label', 'drifted from git ($ENVIRONMENT)" --label'),
)


# The drift workflow that turns an edit made outside git into a pull request (`wac init --drift pull`).
CREATE_PULL_REQUEST: Final = "peter-evans/create-pull-request@271a8d0340265f705b14b6d32b9829c1cb33d45e # v7.0.8"
_PULL_STEPS: Final = f"""      - name: Pull the edits made outside git into the manifests
        if: steps.drift.outputs.has-changes == 'true'
        uses: @@ACTION@@
        with:
          command: pull
          paths: widgets/
          owner: @@OWNER@@
          site: @@SITE@@
        env:
          DD_API_KEY: ${{{{ secrets.DD_API_KEY }}}}
          DD_APP_KEY: ${{{{ secrets.DD_APP_KEY }}}}
          SPACEONE_ENDPOINT: ${{{{ vars.SPACEONE_ENDPOINT }}}}
          SPACEONE_DOMAIN_ID: ${{{{ vars.SPACEONE_DOMAIN_ID }}}}
          SPACEONE_TOKEN: ${{{{ secrets.SPACEONE_TOKEN }}}}
      - name: Open or update the pull request that keeps them
        if: steps.drift.outputs.has-changes == 'true'
        uses: {CREATE_PULL_REQUEST}
        with:
          branch: widgets-drift
          delete-branch: true
          title: Keep the edits made outside git
          commit-message: "Keep the edits made outside git (wac pull)"
          body-path: ${{{{ steps.drift.outputs.comment-markdown }}}}
          labels: widgets-drift
"""


def _pulling(text: str) -> str:
    """The drift workflow with a pull request of the drifted fields after the report; the issue stays for
    what cannot be pulled."""
    text = text.replace(
        "permissions:\n  contents: read\n",
        "permissions:\n  contents: write # the pull request's branch\n  pull-requests: write\n",
    )
    marker = "      - name: Open, update or close the drift issue\n"
    return text.replace(marker, _PULL_STEPS + marker)


def _per_environment(text: str, environments: list[str]) -> str:
    matrix = (
        "    runs-on: ubuntu-latest\n    strategy:\n      fail-fast: false\n      matrix:\n"
        f"        environment: [{', '.join(yaml_scalar(e) for e in environments)}]\n"
    )
    text = text.replace("    runs-on: ubuntu-latest\n", matrix)
    for before, after in _PER_ENVIRONMENT:
        if after == "@ARGS@":
            command = before.splitlines()[0]
            after = (
                f"{command}\n          # The environment's `manifests:` (all of widgets/ when it names none).\n"
                f'          paths: ""\n          args: --env {_MATRIX}\n'
            )
        text = text.replace(before, after)
    return text


def scaffold(
    owner: str,
    site: str,
    kinds: Iterable[str],
    schema: str,
    action: str = DEFAULT_ACTION,
    examples: Iterable[tuple[str, str]] = (),
    environments: Iterable[str] = (),
    drift: str = "revert",
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
    named = list(dict.fromkeys(environments))
    files = [
        ScaffoldFile(".wac.yaml", _filled(template("wac.yaml"), settings) + _environments_block(named, owner)),
        ScaffoldFile(".gitignore", template("gitignore")),
        ScaffoldFile("README.md", _filled(template("README.md"), settings)),
        ScaffoldFile(SCHEMA_PATH, schema),
    ]
    files += [ScaffoldFile(path, template(name)) for name, path in examples]
    return files + workflows(action, yaml_scalar(owner), yaml_scalar(site), named, drift)


def _environments_block(environments: list[str], owner: str) -> str:
    """`environments:` for .wac.yaml: each with its own owner (two must never share one) and room for the rest."""
    if not environments:
        return ""
    lines = [
        "# environments: each planned, applied and checked for drift on its own (wac plan --env NAME; the",
        "# workflows run one job per environment). Each may set site, owner, a backend's section, `values:`",
        "# for templates' parameters and `manifests:` (paths; all of widgets/ when absent).",
        "environments:",
    ]
    for name in environments:
        lines += [f"  {name}:", f"    owner: {yaml_scalar(f'{owner}-{name}')}", f"    values: {{environment: {name}}}"]
    return "\n".join(lines) + "\n"
