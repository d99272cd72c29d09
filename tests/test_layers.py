"""The layer rule of DESIGN.md, checked on every import: dependencies point down only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "certmint"

# For each layer, the certmint modules it may import (prefix match).
ALLOWED: dict[str, tuple[str, ...]] = {
    "domain": ("certmint.domain",),
    # Messages (an English text and its values) are how every layer words what people read.
    "credentials": ("certmint.credentials", "certmint.domain.messages"),
    "rendering": ("certmint.rendering",),
    # How Certmint reaches the outside world (the guarded HTTP client): settings come from
    # bootstrap, so it imports nothing of Certmint's but itself.
    "adapters": ("certmint.adapters",),
    "storage": ("certmint.storage", "certmint.domain"),
    "services": (
        "certmint.services",
        "certmint.storage",
        "certmint.domain",
        "certmint.credentials",
        "certmint.rendering",
        "certmint.adapters",
    ),
    "bootstrap": (
        "certmint.bootstrap",
        "certmint.config",
        "certmint.adapters",
        "certmint.environment",
        "certmint.storage",
        "certmint.credentials",
        "certmint.rendering",
        "certmint.services.issuers.signing",
        "certmint.services.notifications.mail",
        # the executor chosen at start-up, and the after-commit deliveries it announces to
        "certmint.services.issuance.executors",
        "certmint.services.issuance.in_process",
        "certmint.services.issuance.on_broker",
        "certmint.services.issuance.parallel_signing",
        "certmint.services.notifications.deliveries",
        "certmint.services.certificates.documents",
        "certmint.services.links",
    ),
    # Entry points reach data through services; the unit of work's type is all they see.
    "web": (
        "certmint.web",
        "certmint.services",
        "certmint.domain",
        "certmint.bootstrap",
        "certmint.config",
        "certmint.environment",
        "certmint.storage.unit_of_work",
        "certmint.credentials",
        "certmint.rendering",
        "certmint.__init__",
    ),
    "cli": (
        "certmint.cli",
        "certmint.services",
        "certmint.domain",
        "certmint.bootstrap",
        "certmint.config",
        "certmint.environment",
        "certmint.storage.migrate",
        "certmint.web.app",
        "certmint.web.startup",  # `serve` starts as the web app's factory does
        "certmint.jobs",
        "certmint.credentials",
        "certmint.rendering",
    ),
    "jobs": (
        "certmint.jobs",
        "certmint.adapters",
        "certmint.services",
        "certmint.domain",
        "certmint.bootstrap",
        "certmint.config",
    ),
    "config": ("certmint.config",),
    # What is wrong with an instance's surroundings (home, disk, database, settings), worded
    # once for every entry point: it reads settings and classifies low-level errors only.
    "environment": ("certmint.environment", "certmint.config"),
}

# Alembic's env.py is an entry point of its own (`alembic upgrade head` by hand).
EXTRA = {"storage/migrations/env.py": ("certmint.config",)}


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _module(path: Path) -> str:
    """The dotted name ``path`` is imported as (a package is its ``__init__``)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> list[str]:
    """Every certmint module ``path`` imports, anywhere in it (a deferred import inside a
    function is still a dependency), with relative imports resolved: ``from . import x`` must
    not be a way around the rule. ``from package import module`` counts as the module."""
    return _imported(path.read_text(encoding="utf-8"), _module(path), path.name == "__init__.py")


def _imported(source: str, module: str, is_package: bool) -> list[str]:
    tree = ast.parse(source)
    here = module.split(".")
    package = here if is_package else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            submodules = [
                f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES
            ]
            found.extend(submodules or [module])
    return [name for name in found if name == "certmint" or name.startswith("certmint.")]


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    allowed = ALLOWED[_layer(path)] + EXTRA.get(str(path.relative_to(PACKAGE)), ())
    wrong = [
        name
        for name in _imports(path)
        if name != "certmint" and not any(name == a or name.startswith(a + ".") for a in allowed)
    ]
    assert wrong == [], f"{path.relative_to(PACKAGE)} imports {wrong} across the layer rule"


def test_every_module_belongs_to_a_layer() -> None:
    layers = {_layer(p) for p in PACKAGE.rglob("*.py")} - {"__init__", "__main__"}
    assert layers <= set(ALLOWED), layers - set(ALLOWED)


def test_no_commit_outside_services_and_the_unit_of_work() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if _layer(path) == "services" or path.name == "unit_of_work.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_no_import_circles() -> None:
    """Modules form no circle, inside a package or across packages: a circle is two modules
    that can only be understood (and imported) together, which is one module split badly."""
    graph = {
        name: {i for i in _imports(path) if i in MODULES and i != name}
        for name, path in MODULES.items()
    }
    circles = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:  # Tarjan's strongly connected components
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in graph[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            component = []
            while (member := stack.pop()) != name:
                component.append(member)
            if component:
                circles.append(sorted([name, *component]))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert circles == []


def test_relative_imports_are_resolved() -> None:
    """The rule is not dodged by a leading dot: the helper resolves it like Python does."""
    source = "from . import errors\nfrom ..domain import ids\nfrom .._x import y\n"
    assert _imported(source, "certmint.rendering._probe", is_package=False) == [
        "certmint.rendering.errors",
        "certmint.domain.ids",
        "certmint._x",
    ]


# services/ subpackages, lowest first. Each may import the modules shared at the top of
# services/ (errors, the unit of work, the policy, audit, links, ...) and the subpackages listed
# before it, never one after it; read models sit low, so pages' queries never pull in the use
# cases that change state.
SERVICE_PACKAGES = (
    "issuers",
    "catalogue",
    "read_models",
    "identity",
    "verification",
    "issuance",
    "certificates",
    "notifications",
)
# Top-level modules that assemble the others (the demo data, a new instance, the health probe).
SERVICE_ASSEMBLERS = {"demo", "instance", "health"}


def _service_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["certmint", "services"] else None


def test_service_packages_are_ordered() -> None:
    services = PACKAGE / "services"
    found = {p.name for p in services.iterdir() if (p / "__init__.py").exists()}
    assert found == set(SERVICE_PACKAGES)
    wrong = []
    for path in services.rglob("*.py"):
        here = _service_part(_module(path))
        if here is None or here in SERVICE_ASSEMBLERS:
            continue
        for name in _imports(path):
            there = _service_part(name)
            if there not in SERVICE_PACKAGES or there == here:
                continue
            if here not in SERVICE_PACKAGES or SERVICE_PACKAGES.index(
                there
            ) > SERVICE_PACKAGES.index(here):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []
