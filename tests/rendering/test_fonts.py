"""Fonts: every promised script is covered, and a missing one names the package to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from certmint.rendering import (
    FONT_PACKAGES,
    SCRIPTS,
    FontSet,
    FontSpec,
    MissingFonts,
    check_scripts,
    require_scripts,
    unknown_glyphs,
)

PROMISED = {
    "Latin", "Devanagari", "Bengali", "Tamil", "Telugu", "Kannada", "Malayalam",
    "Gujarati", "Gurmukhi", "Odia", "Arabic/Urdu", "CJK",
}  # fmt: skip


def test_the_promised_scripts_are_checked() -> None:
    assert {script.name for script in SCRIPTS} == PROMISED
    assert {script.package for script in SCRIPTS} == set(FONT_PACKAGES)


def test_every_promised_script_is_covered(fonts: FontSet) -> None:
    report = check_scripts(fonts)
    assert [c.script for c in report if not c.covered] == []
    assert all(c.family and c.family.startswith("Noto") for c in report)
    require_scripts(fonts)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_no_tofu_in_serif_or_sans(fonts: FontSet, script: object) -> None:
    sample = script.sample  # type: ignore[attr-defined]
    for family in ("serif", "sans-serif", "Noto Serif Display, Noto Serif, serif"):
        assert unknown_glyphs(fonts, sample, FontSpec(family, 20)) == 0


def test_host_fonts_are_not_used(fonts: FontSet) -> None:
    # DejaVu is on most Debian hosts; our private configuration must not see it.
    assert not any("DejaVu" in family for family in fonts.families_covering("A"))


def test_missing_cjk_names_fonts_noto_cjk(tmp_path: Path) -> None:
    latin_only = tmp_path / "fonts"
    latin_only.mkdir()
    source = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
    (latin_only / source.name).write_bytes(source.read_bytes())
    partial = FontSet.load((latin_only,), cache_dirs=(tmp_path / "cache",))
    with pytest.raises(MissingFonts) as caught:
        require_scripts(partial)
    assert "CJK" in caught.value.scripts
    assert "Latin" not in caught.value.scripts
    assert caught.value.packages == ("fonts-noto-cjk", "fonts-noto-core")


def test_no_font_directory_at_all(tmp_path: Path) -> None:
    with pytest.raises(MissingFonts) as caught:
        FontSet.load((tmp_path / "nowhere",))
    assert caught.value.packages == FONT_PACKAGES
