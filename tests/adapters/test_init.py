"""The public surface: ``certmint.adapters.__all__`` is sorted and re-exports every module's."""

from __future__ import annotations

import importlib
import pkgutil

import certmint.adapters as adapters


def test_all_is_sorted_and_complete() -> None:
    def order(name: str) -> tuple[int, str]:  # ruff's RUF022: CONSTANTS, Classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert adapters.__all__ == sorted(adapters.__all__, key=order)
    modules = [m.name for m in pkgutil.iter_modules(adapters.__path__)]
    assert sorted(modules) == ["addresses", "errors", "http", "scheduling"]
    for module_name in modules:
        module = importlib.import_module(f"certmint.adapters.{module_name}")
        assert set(module.__all__) <= set(adapters.__all__), module_name
        for name in module.__all__:
            assert getattr(adapters, name) is getattr(module, name)
