"""The progress line of the engine (``alignsim sweep`` and ``alignsim compare``).

Runs complete (with those done before a resume), percentage, failures, rate and the estimated
time left, on stderr: in place on a terminal, else a line about every 10% or 30 s.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from typing import Any, TextIO


def clock(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


class ProgressLine:
    """``progress(summary)`` for :func:`sim.runner.loop.run_session` (a :class:`~sim.runner.loop.Summary`)."""

    def __init__(self, stream: TextIO = sys.stderr, in_place: bool | None = None):
        self.stream = stream
        self.in_place = stream.isatty() if in_place is None else in_place
        self.last_print = 0.0
        self.next_share = 0.0

    def __call__(self, s: Any) -> None:
        todo = s.total - s.skipped
        now = time.monotonic()
        share = s.done / todo if todo else 1.0
        final = s.done >= todo
        if self.in_place:
            if not final and now - self.last_print < 0.25:
                return
        elif not final and share < self.next_share and now - self.last_print < 30:
            return
        self.last_print, self.next_share = now, share + 0.1
        rate = s.done / s.wall_s if s.wall_s > 0 else 0.0
        eta = clock((todo - s.done) / rate) if rate > 0 else "?"
        failed = f", {s.failed} failed" if s.failed else ""
        line = (f"{s.skipped + s.done}/{s.total} runs ({100 * (s.skipped + s.done) / max(s.total, 1):.0f}%{failed})"
                f"  {60 * rate:,.1f} runs/min  ETA {eta}")
        self.stream.write(f"\r{line}\x1b[K" + ("\n" if final else "") if self.in_place else line + "\n")
        self.stream.flush()
