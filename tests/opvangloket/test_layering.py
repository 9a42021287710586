"""The direction of dependencies, as docs/architecture.md draws it, checked on the source.

Registry and catalogue at the bottom (they import no loket app), loket apps above them,
the parents' portal on top; and no module imports another module's private names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "tenants", "src/opvangloket")


def _modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every ``import`` and ``from … import`` in the file, nested too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def _name(path: Path) -> str:
    relative = path.relative_to(ROOT / "src" if path.is_relative_to(ROOT / "src") else ROOT)
    return ".".join(relative.with_suffix("").parts)


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [
        ("shared.registry", ("tenants", "shared.portal")),
        ("shared.catalogue", ("tenants", "shared.portal", "shared.registry")),
        ("shared.geography", ("tenants", "shared.portal", "shared.registry")),
        ("shared.accounts", ("shared.portal",)),
        ("tenants", ("shared.portal",)),
    ],
)
def test_an_app_imports_nothing_from_the_layers_above_it(app, forbidden):
    offending = [
        f"{_name(path)} imports {module}"
        for path in _modules()
        if _name(path).startswith(app)
        for module, _names in _imports(path)
        if module.startswith(forbidden)
    ]
    assert offending == []


def test_no_module_imports_a_private_name_of_another_module():
    offending = [
        f"{_name(path)}: from {module} import {name}"
        for path in _modules()
        for module, names in _imports(path)
        if module.split(".")[0] in {"shared", "tenants", "opvangloket"}
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert offending == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from tenants.requests.changes import _lock\n")
    assert ("tenants.requests.changes", ["_lock"]) in _imports(module)


def test_role_checks_come_from_the_one_role_table():
    """Pages and API views check roles only through shared/accounts/permissions.py."""
    home = ROOT / "shared" / "accounts" / "permissions.py"
    offending = []
    for path in _modules():
        if path == home:
            continue
        for module, names in _imports(path):
            if module == "django.contrib.auth.decorators" or (
                module == "rest_framework.permissions" and "BasePermission" in names
            ):
                offending.append(f"{_name(path)}: from {module} import {', '.join(names)}")
    assert offending == []
