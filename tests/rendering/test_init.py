"""The public surface: ``__all__`` is sorted and lists every public name of every module."""

from __future__ import annotations

import importlib
import pkgutil

import certmint.rendering as rendering


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's RUF022 keeps."""
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name


def test_all_is_sorted() -> None:
    assert list(rendering.__all__) == sorted(rendering.__all__, key=_isort_key)


def test_all_is_complete_and_exists() -> None:
    exported = set(rendering.__all__)
    for info in pkgutil.iter_modules(rendering.__path__):
        module = importlib.import_module(f"certmint.rendering.{info.name}")
        assert hasattr(module, "__all__"), info.name
        if info.name in (
            "_allowlist",
            "_native",
            "_svg",
        ):  # internal plumbing, deliberately not re-exported
            continue
        missing = set(module.__all__) - exported
        assert not missing, f"{info.name} exports {missing} but __init__ does not"
    for name in exported:
        assert getattr(rendering, name) is not None


def test_modules_stay_small() -> None:
    for info in pkgutil.iter_modules(rendering.__path__):
        module = importlib.import_module(f"certmint.rendering.{info.name}")
        assert module.__file__
        with open(module.__file__, encoding="utf-8") as handle:
            assert sum(1 for _ in handle) <= 400, info.name
