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

from certmint.rendering import (
    GALLERY,
    Design,
    FontSet,
    Signatory,
    build_template,
    certificate_png,
    sample_values,
)

from .conftest import QR_URL, SIGNATURE_SVG, full_design, logo_png

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
    compare(GOLDEN / f"{layout_id}-{script}.png", render(fonts, layout_id, script))


def compare(path: Path, actual: Image.Image) -> None:
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        actual.save(path, optimize=True)
    assert path.exists(), f"no golden {path.name}: run with CERTMINT_REGENERATE_GOLDEN=1"
    with Image.open(path) as stored:
        expected = stored.convert("L")
    assert expected.size == actual.size
    histogram = ImageChops.difference(expected, actual).histogram()
    pixels = expected.width * expected.height
    mean = sum(value * count for value, count in enumerate(histogram)) / pixels
    assert mean < 1.5, f"{path.name}: mean difference {mean:.2f}"
    assert sum(histogram[65:]) / pixels < 0.003, f"{path.name}: too many pixels differ"


@pytest.mark.parametrize("layout_id", ["classic-1-2", "modern"])
def test_right_to_left_design_matches_golden(fonts: FontSet, layout_id: str) -> None:
    design = Design(
        layout=layout_id,
        direction="rtl",
        language="ar",
        title="شهادة إتمام",
        subtitle="تشهد الأكاديمية بأن",
        description="قد أتم بنجاح دورة {{course.name}}",
        details="{{batch.name}} · صدرت في {{issued_on}}",
        number_label="رقم الشهادة",
        date_label="تاريخ الإصدار",
        logos=(logo_png(),),
        signatories=(
            Signatory("د. أحمد خان", "المدير", SIGNATURE_SVG),
            Signatory("سارة علي", "منسقة الدورة"),
        ),
    )
    values = {
        **sample_values("فاطمة الزهراء بنت عبد الرحمن"),
        "course.name": "علوم البيانات",
        "batch.name": "ربيع \u0662\u0660\u0662\u0666",
        "issued_on": "\u0661\u0665 مايو \u0662\u0660\u0662\u0666",  # Arabic-Indic digits
    }
    png = certificate_png(
        build_template(design), values, fonts=fonts, qr_url=QR_URL, width_px=WIDTH, language="ar"
    )
    compare(GOLDEN / f"rtl-{layout_id}-arabic.png", _grey(png))


def test_goldens_are_distinct_per_script(fonts: FontSet) -> None:
    # Guards against a golden set where every script silently rendered the same fallback.
    latin = render(fonts, "classic-1-1", "latin")
    for script in NAMES:
        if script != "latin":
            assert ImageChops.difference(latin, render(fonts, "classic-1-1", script)).getbbox()
