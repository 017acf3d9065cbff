"""Where a repository's commands run: its root, found from any folder inside it, like git finds its own.

The root is the nearest folder up from the working directory that holds `.wac.yaml`, else the top of the
git work tree, else the working directory. Commands run there, so `.wac.yaml`, the default `widgets/` and
the paths a saved plan records mean the same from every folder; paths the user typed keep meaning what they
meant where they were typed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

CONFIG_NAME: Final = ".wac.yaml"


def project_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
        if (folder / ".git").exists():
            return folder
    return start


def at_root(params: dict[str, Any]) -> dict[str, Any]:
    """Moves the process to the project root, and `params`' paths with it (each still names what it named)."""
    here = Path.cwd()
    root = project_root(here)
    if root == here:
        return params
    moved = {name: _moved(value, here, root) for name, value in params.items()}
    os.chdir(root)
    return moved


def _moved(value: Any, here: Path, root: Path) -> Any:
    if isinstance(value, Path):
        return _relative(value, here, root)
    if isinstance(value, tuple) and value and all(isinstance(v, Path) for v in value):
        return tuple(_relative(v, here, root) for v in value)
    return value


def _relative(path: Path, here: Path, root: Path) -> Path:
    absolute = Path(os.path.normpath(here / path))
    try:
        return absolute.relative_to(root)
    except ValueError:
        return absolute  # outside the repository: kept whole
