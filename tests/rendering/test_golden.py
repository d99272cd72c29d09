"""Golden images: every layout with a name in every promised script, against reviewed PNGs.

The references in ``golden/`` were rendered by this test and then inspected by eye (Devanagari
conjuncts, joined Arabic, Tamil and Malayalam ligatures, CJK, no boxes). A change in layout,
fonts or shaping shows up here. After an intended change, regenerate and look again:

    CERTMINT_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/rendering/test_golden.py

Images are 600 px wide and 16-level grey to stay small; the comparison allows the small
antialiasing drift between library versions, not a missing glyph or a moved block.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from certmint.rendering import GALLERY, FontSet, build_template, certificate_png, sample_values

from .conftest import QR_URL, full_design

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CERTMINT_REGENERATE_GOLDEN") == "1"
WIDTH = 600

NAMES = {
    "latin": ("Zoë Ødegård-Łukasiewicz", "en"),
    "devanagari": ("अनुष्का क्षत्रिय", "hi"),
    "bengali": ("সৌমিত্র চট্টোপাধ্যায়", "bn"),
    "tamil": ("ஸ்ரீநிவாசன் கிருஷ்ணமூர்த்தி", "ta"),
    "telugu": ("వెంకటేశ్వర్లు శ్రీనివాస్", "te"),
    "kannada": ("ಶ್ರೀಕಾಂತ ಕೃಷ್ಣಮೂರ್ತಿ", "kn"),
    "malayalam": ("ഉണ്ണികൃഷ്ണൻ നമ്പൂതിരി", "ml"),
    "gujarati": ("પ્રજ્ઞા ત્રિવેદી", "gu"),
    "gurmukhi": ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਢਿੱਲੋਂ", "pa"),
    "odia": ("ଲକ୍ଷ୍ମୀପ୍ରିୟା ମହାପାତ୍ର", "or"),
    "arabic-urdu": ("محمد عبداللہ قریشی", "ur"),
    "cjk": ("欧阳修远 山田太郎 김민준", "zh"),
}


def _grey(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("L").point(lambda v: (v // 17) * 17)


def render(fonts: FontSet, layout_id: str, script: str) -> Image.Image:
    name, language = NAMES[script]
    values = {**sample_values(name), "signatory.1.name": name}
    template = build_template(full_design(layout_id))  # type: ignore[arg-type]
    png = certificate_png(
        template, values, fonts=fonts, qr_url=QR_URL, width_px=WIDTH, language=language
    )
    return _grey(png)


@pytest.mark.parametrize("script", sorted(NAMES))
@pytest.mark.parametrize("layout_id", [layout.id for layout in GALLERY])
def test_matches_golden(fonts: FontSet, layout_id: str, script: str) -> None:
    path = GOLDEN / f"{layout_id}-{script}.png"
    actual = render(fonts, layout_id, script)
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        actual.save(path, optimize=True)
    assert path.exists(), f"no golden {path.name}: run with CERTMINT_REGENERATE_GOLDEN=1"
    with Image.open(path) as stored:
        expected = stored.convert("L")
    assert expected.size == actual.size
    diff = ImageChops.difference(expected, actual)
    histogram = diff.histogram()
    pixels = expected.width * expected.height
    mean = sum(value * count for value, count in enumerate(histogram)) / pixels
    large = sum(histogram[65:]) / pixels
    assert mean < 1.5, f"{path.name}: mean difference {mean:.2f}"
    assert large < 0.003, f"{path.name}: {large:.2%} of pixels differ strongly"


def test_goldens_are_distinct_per_script(fonts: FontSet) -> None:
    # Guards against a golden set where every script silently rendered the same fallback.
    latin = render(fonts, "classic-1-1", "latin")
    for script in NAMES:
        if script != "latin":
            assert ImageChops.difference(latin, render(fonts, "classic-1-1", script)).getbbox()
