"""Loading the C libraries: versions are checked, failures name the Debian package."""

from __future__ import annotations

import pytest

from certmint.rendering import NativeLibraryMissing, NativeLibraryTooOld, _native


def test_versions_are_recorded() -> None:
    versions = _native.native().versions
    assert set(versions) == {"librsvg", "cairo", "pango", "fontconfig"}
    major, minor, _ = (int(part) for part in versions["librsvg"].split("."))
    assert (major, minor) >= (2, 52)


def test_missing_library_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_native._LIBRARIES, "rsvg", ("librsvg-does-not-exist.so.9", "librsvg2-2"))
    with pytest.raises(NativeLibraryMissing) as caught:
        _native._load("rsvg")
    assert caught.value.package == "librsvg2-2"


def test_old_library_is_refused() -> None:
    with pytest.raises(NativeLibraryTooOld) as caught:
        _native._require("librsvg", (2, 40, 0), (2, 52, 0), "librsvg2-2")
    assert (caught.value.found, caught.value.required) == ("2.40.0", "2.52.0")
