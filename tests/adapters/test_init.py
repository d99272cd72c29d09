"""The public surface: ``certmint.adapters.__all__`` is sorted and re-exports every module's,
except the broker's: Celery is optional, so ``adapters.broker`` is imported only where a broker
is configured, never by the package."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import certmint.adapters as adapters


def test_all_is_sorted_and_complete() -> None:
    def order(name: str) -> tuple[int, str]:  # ruff's RUF022: CONSTANTS, Classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert adapters.__all__ == sorted(adapters.__all__, key=order)
    modules = [m.name for m in pkgutil.iter_modules(adapters.__path__)]
    assert sorted(modules) == ["addresses", "broker", "errors", "http", "scheduling"]
    for module_name in set(modules) - {"broker"}:
        module = importlib.import_module(f"certmint.adapters.{module_name}")
        assert set(module.__all__) <= set(adapters.__all__), module_name
        for name in module.__all__:
            assert getattr(adapters, name) is getattr(module, name)


def test_the_package_does_not_import_the_broker() -> None:
    tree = ast.parse(Path(adapters.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "certmint.adapters.broker" not in imported
    assert "celery" not in {str(name).split(".")[0] for name in imported}
