"""How an enrolment's results are stored: ``{assessment_id: [points, out_of]}``.

Whole numbers are JSON integers (cheap to read back), others exact ``"n/d"`` text, so equal
results are always written the same way and an import can compare them as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Any

from certmint.domain.courses import AssessmentResult

__all__ = ["results_document", "results_from_document"]


def results_document(results: Iterable[AssessmentResult]) -> dict[str, list[int | str]]:
    return {r.assessment_id: [_fraction_json(r.points), _fraction_json(r.out_of)] for r in results}


def results_from_document(results: dict[str, Any]) -> tuple[AssessmentResult, ...]:
    """In assessment id order."""
    return tuple(
        AssessmentResult(assessment_id, _fraction(points), _fraction(out_of))
        for assessment_id, (points, out_of) in sorted(results.items())
    )


def _fraction_json(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else str(value)


@lru_cache(maxsize=4096)
def _fraction(value: int | str) -> Fraction:
    """Stored scores repeat endlessly (0-100, "17/20"): build each Fraction once."""
    return Fraction(value)
