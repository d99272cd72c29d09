"""CSV cells that a spreadsheet shows as text, never runs as a formula.

Why: a learner chooses their own name (a name correction), and Excel, LibreOffice and Google
Sheets read a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula, which can fetch URLs or run commands on the reader's machine (CSV
injection, https://owasp.org/www-community/attacks/CSV_Injection). Every CSV Certmint writes
goes through :class:`SpreadsheetCsvWriter`, which puts an apostrophe before such a cell:
spreadsheets show the text as it is and hide the apostrophe. :func:`from_spreadsheet_cell` undoes
it on import, so a file Certmint wrote (or one a spreadsheet saved) reads back unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

__all__ = ["FORMULA_STARTS", "SpreadsheetCsvWriter", "from_spreadsheet_cell", "spreadsheet_cell"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def spreadsheet_cell(value: object) -> str:
    """``value`` as cell text, with an apostrophe before it when it would start a formula."""
    text = "" if value is None else str(value)
    return _QUOTE + text if text.startswith(FORMULA_STARTS) else text


def from_spreadsheet_cell(text: str) -> str:
    """The value :func:`spreadsheet_cell` wrote: the apostrophe before a formula start goes.

    Only that apostrophe: a name such as ``'Ofa`` (an apostrophe, then a letter) stays as it is.
    """
    if text.startswith(_QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class SpreadsheetCsvWriter:
    """``csv.writer`` for files people open in a spreadsheet: every cell goes through
    :func:`spreadsheet_cell`, so no exporter can forget one."""

    def __init__(self, out: TextIO) -> None:
        # CRLF, as RFC 4180 says: the writer then quotes a cell holding either CR or LF (with
        # "\n" alone, a cell with a bare CR went out unquoted and split its record).
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])
