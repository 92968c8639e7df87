"""Errors that reach the user as one line (exit code 2), never as a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a scenario, an experiment file, an org chart, a CLI flag or a dashboard value.

    The message is one line naming where (file, row or field), the value and what is allowed.
    """

    def __init__(self, where: str, problem: str):
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


def did_you_mean(name: object, allowed: list[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the allowed name closest to ``name`` (difflib), else ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(a) for a in allowed], n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def separator_hint(header: list[str]) -> str:
    """A hint for a CSV whose header was read as one cell because its columns are separated by
    semicolons (a spreadsheet in a locale with decimal commas) or tabs, else ``""``."""
    joined = ",".join(header)
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if sep in joined and joined.count(sep) >= max(1, joined.count(",")):
            return (f"; the header seems separated by {name}: save the file as comma-separated CSV (in a "
                    "spreadsheet, 'CSV UTF-8 (comma delimited)')")
    return ""
