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
