"""The public surface: ``certmint.credentials.__all__`` is sorted and complete."""

from __future__ import annotations

import importlib
import pkgutil

import certmint.credentials as credentials


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions; each alphabetical."""
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_exported() -> None:
    assert credentials.__all__ == sorted(credentials.__all__, key=_isort_style)
    for name in credentials.__all__:
        assert hasattr(credentials, name)


def test_all_is_complete() -> None:
    exported = set(credentials.__all__)
    modules = [m.name for m in pkgutil.iter_modules(credentials.__path__) if m.name != "data"]
    assert modules, "no modules found"
    for module_name in modules:
        module = importlib.import_module(f"certmint.credentials.{module_name}")
        assert module.__all__, module_name
        assert set(module.__all__) <= exported, module_name
        for name in module.__all__:
            assert getattr(credentials, name) is getattr(module, name)


def test_modules_stay_small() -> None:
    for module in pkgutil.iter_modules(credentials.__path__):
        if module.name == "data":
            continue
        source = importlib.import_module(f"certmint.credentials.{module.name}").__file__
        assert source is not None
        with open(source, encoding="utf-8") as handle:
            assert sum(1 for _ in handle) < 450, module.name
