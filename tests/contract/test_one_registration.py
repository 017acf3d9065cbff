"""Adding a backend is one package plus one `Registration`: nothing else in the product names a backend, and
every command's help and the emulator come from the registry."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.backends.emulator_server import create_emulator
from reconciler.backends.registry import BACKENDS, BY_KIND, SECRET_VARIABLES
from reconciler.cli import main
from reconciler.cli.output_guard import KEY_VARIABLES
from reconciler.cli.settings import CONFIG_KEYS

ROOT = Path(__file__).resolve().parents[2] / "reconciler"
# Each backend's package, from where its registration says it connects: `reconciler.backends.<name>.…`.
PACKAGES = sorted({b.connect.split(":")[0].split(".")[2] for b in BACKENDS})
NAMED = re.compile(r"spaceone|dashboard|experience_type", re.IGNORECASE)


def _outside_backends() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        in_a_backend = len(parts) > 2 and parts[0] == "backends" and parts[1] in PACKAGES
        if not in_a_backend and parts != ("backends", "registry.py"):
            yield path


def _names(node: ast.AST) -> tuple[str | None, ...]:
    """The names one node of the tree gives or uses."""
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        return (node.attr,)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, (ast.arg, ast.keyword)):
        return (node.arg,)
    if isinstance(node, ast.alias):
        return (node.name, node.asname)
    if isinstance(node, ast.ImportFrom):
        return (node.module,)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return tuple(node.names)
    return ()


def _identifiers(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every name the code itself uses (variables, attributes, functions, classes, arguments, imports), not
    its string literals or comments."""
    for node in ast.walk(tree):
        yield from ((name, getattr(node, "lineno", 0)) for name in _names(node) if name)


def _imported(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every module an import names, and each name imported from one (it may be a module too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, node.lineno
            yield from ((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)


def test_the_backend_packages_are_found() -> None:
    # Each backend's package is found (others are added beside them).
    assert {"datadog_dashboard_lists", "datadog_dashboards", "datadog_widgets", "spaceone_widgets"} <= set(PACKAGES)


def test_no_module_outside_a_backend_and_the_registry_imports_a_backend() -> None:
    packages = tuple(f"reconciler.backends.{name}" for name in PACKAGES)
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _outside_backends()
        for module, line in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if module in packages or module.startswith(tuple(f"{package}." for package in packages))
    ]
    assert found == [], "only a backend's own package and backends/registry.py may import it"


def test_no_module_outside_a_backend_and_the_registry_names_one() -> None:
    found = set()
    for path in _outside_backends():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= {f"{relative}:{line}: {name}" for name, line in _identifiers(tree) if NAMED.search(name)}
    assert sorted(found) == [], "name the backend in its Registration (reconciler/backends/registry.py) instead"


@pytest.mark.parametrize("command", [[], ["emulator"], ["export"]], ids=["wac", "emulator", "export"])
def test_help_names_every_registered_kind(command: list[str]) -> None:
    # At click's default width: a kind wrapped at its hyphen would not be found.
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert [kind for kind in BY_KIND if kind not in result.output] == []


def test_every_reference_in_a_registration_resolves() -> None:
    for backend in BACKENDS:
        assert backend.model.model_json_schema()
        assert callable(backend.data_path) and callable(backend.explain) and callable(backend.export_document)
        assert callable(backend.connector()) and callable(backend.emulator.builder())
        assert all(callable(option.loader()) for option in backend.emulator.options)
        assert all(backend.noun(scope) for scope in backend.scopes)


def test_the_emulator_commands_and_settings_come_from_the_registry() -> None:
    _, _, stores = create_emulator()
    try:
        assert sorted(stores) == sorted(BY_KIND), "every registered backend is emulated"
    finally:
        for store in stores.values():
            store.close()
    assert set(KEY_VARIABLES) == set(SECRET_VARIABLES) >= {"DD_API_KEY", "SPACEONE_TOKEN"}
    assert {s.key for b in BACKENDS for s in b.settings} <= set(CONFIG_KEYS)
    emulator_help = CliRunner().invoke(main, ["emulator", "--help"], terminal_width=200).output
    export_help = CliRunner().invoke(main, ["export", "--help"], terminal_width=200).output
    plan_help = CliRunner().invoke(main, ["plan", "--help"], terminal_width=200).output
    assert all(o.flag in emulator_help for b in BACKENDS for o in b.emulator.options)
    assert all(b.scope_filter.flag in export_help for b in BACKENDS if b.scope_filter)
    assert all(f.flag in plan_help for b in BACKENDS for f in b.flags)
