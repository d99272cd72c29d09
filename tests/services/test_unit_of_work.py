"""Who owns the transaction is a type, not a docstring: mypy refuses a helper handed a unit of
work that is not open, a use case that reads a repository without opening its unit of work,
and opening an open one twice; the SQLAlchemy unit of work is both kinds."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

SRC = Path(__file__).parents[2] / "src"

PROGRAM = """
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork


def helper(tx: OpenUnitOfWork) -> None:
    tx.roster.count_enrolments
    with tx:  # line 8: an open one is not opened again
        pass


def use_case(uow: UnitOfWork) -> None:
    helper(uow)  # line 13: not open
    uow.roster  # line 14: no repositories before opening
    with uow as tx:
        helper(tx)
        tx.commit()


def wiring(uow: SqlAlchemyUnitOfWork) -> None:
    use_case(uow)
    with uow as tx:
        helper(tx)
"""


def test_mypy_tells_an_open_unit_of_work_from_one_to_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "program.py"
    program.write_text(PROGRAM)
    monkeypatch.setenv("MYPYPATH", str(SRC))
    # The two unit-of-work modules and the program; what they import (the repositories,
    # SQLAlchemy) is skipped, which keeps this to a second or two.
    out, err, status = api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir=/dev/null",
            "--follow-imports=skip",
            "--ignore-missing-imports",
            "--allow-subclassing-any",
            str(SRC / "certmint/services/unit_of_work.py"),
            str(SRC / "certmint/storage/unit_of_work.py"),
            str(program),
        ]
    )
    lines = sorted(
        int(line.split(":")[1]) for line in out.splitlines() if line.startswith(str(program))
    )
    assert status == 1, err
    assert lines == [8, 8, 13, 14], out
