from __future__ import annotations

import pytest

from certmint.domain.spreadsheets import FORMULA_STARTS, from_spreadsheet_cell, spreadsheet_cell


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_formula_start_gets_an_apostrophe_that_import_takes_off(start: str) -> None:
    value = f"{start}SUM(A1:A9)"
    assert spreadsheet_cell(value) == "'" + value
    assert from_spreadsheet_cell(spreadsheet_cell(value)) == value


@pytest.mark.parametrize("value", ["Aarav Sharma", "'Ofa", "", "a=b", " =1", "2026-05-01"])
def test_other_text_is_left_alone_both_ways(value: str) -> None:
    assert spreadsheet_cell(value) == value
    assert from_spreadsheet_cell(value) == value


def test_values_are_written_as_text() -> None:
    assert (spreadsheet_cell(None), spreadsheet_cell(-5), spreadsheet_cell(7)) == ("", "'-5", "7")
