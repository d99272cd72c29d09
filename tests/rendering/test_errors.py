"""The error tree: one base, documented shape, data carried in fields."""

from __future__ import annotations

import certmint.rendering as rendering
from certmint.rendering import errors


def test_every_error_derives_from_render_error_and_is_drawn_in_the_tree() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.RenderError)
        assert name in (errors.__doc__ or ""), f"{name} missing from the tree docstring"
        assert getattr(rendering, name) is cls


def test_errors_carry_fields() -> None:
    error = errors.UnknownPlaceholder(("recipient.nmae",), ("recipient.name",))
    assert error.names == ("recipient.nmae",)
    assert error.known == ("recipient.name",)
    assert "recipient.name" in str(error)
    missing = errors.MissingFonts(("CJK",), ("fonts-noto-cjk",))
    assert missing.packages == ("fonts-noto-cjk",)
    assert "apt-get install fonts-noto-cjk" in str(missing)
    assert errors.SvgRejected(("element <script>",)).reason.startswith("would remove")
