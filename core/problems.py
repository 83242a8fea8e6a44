"""A reason a command cannot go on, said in one sentence.

The command line prints a Problem as `ted COMMAND: <sentence>` on standard error and exits non-zero, never with
a traceback: the person reading it is whoever runs TED (IT, the communications team), and the sentence says what
is wrong with which file and what to do about it.
"""

from __future__ import annotations


class Problem(Exception):
    """One sentence (no trailing full stop needed) saying what is wrong and what to do."""

    def __str__(self) -> str:
        text = super().__str__().strip()
        return text if text.endswith((".", "?", "!")) else text + "."
