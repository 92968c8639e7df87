"""The clock of the page: plays a session at a speed in days per second and stops by itself at
the last day or at the day the trainer asked to pause at.

No Solara import: the page runs :func:`play` in a worker thread with callbacks that read its
controls, and tests run it directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sim.errors import InputError

DEFAULT_SPEED = 15  # days per second: the trainer's guide plays a year at 10 to 20 days a second
MIN_SPEED, MAX_SPEED = 1, 40


def check_speed(value: object) -> int:
    try:
        speed = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError("Speed", f"{value!r} is not a whole number of days per second") from None
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InputError("Speed", f"{speed} days per second is out of range: must be {MIN_SPEED} to {MAX_SPEED}")
    return speed


def check_pause_day(value: object, horizon: int) -> int:
    """A "pause at day" value: 0 (none) or a day in 1..horizon."""
    text = str(value).strip() if value is not None else ""
    if text in ("", "0"):
        return 0
    try:
        day = int(text)
    except ValueError:
        raise InputError("Pause at day", f"{value!r} is not a day number") from None
    if not 1 <= day <= horizon:
        raise InputError("Pause at day", f"{day} is out of range: must be 1 to {horizon} (0 or empty: no pause)")
    return day


def play(session, keep_playing: Callable[[], bool], drawn: Callable[[], None], speed: Callable[[], float],
         pause_at: Callable[[], int], sleep: Callable[[float], None] = time.sleep) -> str:
    """Step ``session`` while ``keep_playing()``, at ``speed()`` days per second, calling ``drawn()``
    after each day (the page redraws).  Returns why it stopped: ``"paused"`` (keep_playing turned
    false; at most the day under way finishes), ``"end"`` (the last day) or ``"pause-at"`` (the day
    ``pause_at()`` was reached, checked after every day, so it stops exactly there)."""
    while keep_playing():
        if session.day >= session.horizon:
            return "end"
        start = time.perf_counter()
        session.step()
        drawn()
        stop = pause_at()
        if stop and session.day == stop:
            return "pause-at"
        delay = 1.0 / max(float(speed()), 0.1) - (time.perf_counter() - start)
        if delay > 0:
            sleep(delay)
    return "paused"
