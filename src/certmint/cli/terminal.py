"""The CLI's consoles, on which nothing is read as terminal markup.

Learner names, achievement names, file names, reasons and error messages reach the terminal
from users and from the database; Rich would read ``[link=...]`` or ``[bold]`` in them as
markup (and a Progress column reads ``{...}`` as a format field). So both consoles print text
literally, and the few words Certmint styles itself are built with ``styled`` around the
literal text, never by putting user text into a markup or format string.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

__all__ = ["console", "err_console", "styled"]

console = Console(soft_wrap=True, markup=False, highlight=False)
err_console = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Literal text with some parts styled: ``styled(("error:", "bold red"), " ", message)``."""
    return Text.assemble(*parts)
