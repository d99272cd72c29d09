"""The error tree: one base, drawn in the module docstring, with fields."""

from __future__ import annotations

import inspect

from certmint.credentials import errors


def test_every_error_derives_from_the_base_and_is_drawn_in_the_tree() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.CredentialError)
        assert f" {name}" in doc, f"{name} missing from the tree in the docstring"
        assert inspect.getdoc(cls)


def test_errors_carry_fields() -> None:
    error = errors.LimitExceededError("quads", 6000, 5000)
    assert (error.limit, error.value, error.maximum) == ("quads", 6000, 5000)
    assert isinstance(error, errors.CanonicalizationError)
    assert errors.KeyNotFoundError("k").key_id == "k"
    assert errors.UnsupportedCryptosuiteError("x").cryptosuite == "x"
    assert errors.InvalidCredentialDataError("f", "r").field == "f"
