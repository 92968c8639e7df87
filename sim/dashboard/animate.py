"""``alignsim animate``: a run rendered as an animated GIF (Pillow, always available) or MP4
(only where ffmpeg is installed), frame by frame, with the dashboard's own views: the org
chart(s), the customers and the key charts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sim.errors import InputError

from .frame import METRICS, take
from .presets import SIZES
from .state import Workshop

FORMATS = (".gif", ".mp4")


def frame_days(steps: int, every: int) -> list[int]:
    """The days drawn: day 0, every ``every`` days, and the last day."""
    days = list(range(0, steps + 1, every))
    if days[-1] != steps:
        days.append(steps)
    return days


def check_output(out: Path) -> str:
    """The format of ``out`` ('.gif' or '.mp4'); InputError for anything that cannot be written."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError("--out", f"{str(out)!r} must end in .gif or .mp4")
    if suffix == ".mp4":
        from matplotlib import animation

        if not animation.writers.is_available("ffmpeg"):
            raise InputError("--out", "writing MP4 needs ffmpeg, which is not installed here; write a .gif instead")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("--out", f"folder {str(parent)!r} does not exist")
    if out.is_dir():
        raise InputError("--out", f"{str(out)!r} is a folder, not a file")
    return suffix


def animate(scenario: str, out: Path, *, twin: str | None = None, twin_set: list[str] | tuple[str, ...] = (),
            seed: int | None = None,
            steps: int | None = None, every: int = 5, fps: int = 8, size: str = "workshop",
            metric: str = "backlog", progress: Callable[[int, int], None] | None = None) -> int:
    """Render ``scenario`` (and ``twin``, another scenario with the same seed, or ``twin_set``, the
    same scenario with ``dotted.name=value`` overrides: a fair twin) to ``out``;
    returns the number of frames written.  Nothing is left at ``out`` if rendering fails."""
    from matplotlib import animation

    from .figures import KEY_CHARTS, Board

    suffix = check_output(out)
    if every < 1:
        raise InputError("--every", f"{every} is not allowed: must be >= 1")
    if not 1 <= fps <= 60:
        raise InputError("--fps", f"{fps} is not allowed: must be in 1..60")
    if metric not in METRICS:
        raise InputError("--colour", f"{metric!r} is not allowed; allowed: {', '.join(METRICS)}")
    if size not in SIZES:
        raise InputError("--size", f"{size!r} is not allowed; allowed: {', '.join(SIZES)}")
    session = Workshop(scenario_name=scenario, size=size, seed=seed, twin_scenario=twin, twin_set=tuple(twin_set))
    steps = session.horizon if steps is None else steps
    if steps > session.horizon:
        raise InputError("--steps", f"{steps} is past the scenario's last day ({session.horizon})")
    days = frame_days(steps, every)
    board = Board(len(session.orgs), KEY_CHARTS, with_causes=True, width=12.8, height=7.2 if not session.twin else 9.6)
    if suffix == ".gif":
        writer: animation.AbstractMovieWriter = animation.PillowWriter(fps=fps)
    else:
        writer = animation.FFMpegWriter(fps=fps)
    partial = out.with_name(f".{out.stem}.partial{suffix}")
    try:
        with writer.saving(board.fig, str(partial), dpi=100):
            for i, day in enumerate(days):
                while session.day < day:
                    session.step()
                board.draw(take(session, metric))
                writer.grab_frame(facecolor="white")
                if progress is not None:
                    progress(i + 1, len(days))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return len(days)
