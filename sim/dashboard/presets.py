"""Organisation size presets and the settings a trainer can move live, with their validation.

Every value that reaches a session from the page passes :func:`check_setting`, which turns a bad
value (out of range, not a number) into an :class:`~sim.errors.InputError` with a one-line
message; the page shows that line instead of crashing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.errors import InputError
from sim.inputs.space import bounds
from sim.model.orggraph import generate_org
from sim.model.params import CORE_LEVERS, ModelParams, OrgParams


@dataclass(frozen=True)
class Size:
    """An organisation size: ``teams`` (None: the scenario's) and total ``customers`` (None: the
    scenario's customers per front team)."""

    label: str
    teams: int | None
    customers: int | None = None


SIZES: dict[str, Size] = {
    "small": Size("small: 10 teams", 10),
    "workshop": Size("workshop: 20 teams", 20),
    "large": Size("large: 50 teams, 2,000 customers", 50, 2000),
}

CORE = CORE_LEVERS  # the levers a trainer can move live
# the parameter each live setting moves: name -> (label, dotted parameter name, slider step)
SETTING_PARAMS: dict[str, tuple[str, str, float]] = {
    **{lever: (lever.capitalize(), f"levers.{lever}", 0.05) for lever in CORE},
    "pressure": ("Pressure", "pressure.baseline", 0.05),
    "noise": ("Signal noise", "pressure.noise", 0.01),
}
# live settings: name -> (label, low, high, step); the range is the parameter's
SETTINGS: dict[str, tuple[str, float, float, float]] = {
    name: (label, *bounds(field)[1:], step) for name, (label, field, step) in SETTING_PARAMS.items()
}


def check_setting(name: str, value: object) -> float:
    """``value`` as the live setting ``name``, or InputError naming the setting and its range."""
    if name not in SETTINGS:
        raise InputError("setting", f"{name!r} is not a live setting; allowed: {', '.join(SETTINGS)}")
    label, lo, hi, _ = SETTINGS[name]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(label, f"{value!r} is not a number") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise InputError(label, f"{value!r} is out of range: must be between {lo:g} and {hi:g}")
    return number


def check_size(size: str) -> Size:
    if size not in SIZES:
        raise InputError("size", f"{size!r} is not a size preset; allowed: {', '.join(SIZES)}")
    return SIZES[size]


def front_teams(org: OrgParams) -> int:
    """Front-office teams of a generated organisation of this shape (the count does not depend on
    the random draws, so a throwaway generator is fine)."""
    graph = generate_org(org, np.random.default_rng(0))
    return sum(1 for _, d in graph.nodes(data=True) if d.get("office") == "front")


def sized(params: ModelParams, size: str) -> ModelParams:
    """``params`` with the organisation resized to a preset (an org chart CSV keeps its size)."""
    preset = check_size(size)
    if params.org.chart or preset.teams is None:
        return params
    org = params.org.model_copy(update={"teams": preset.teams})
    if preset.customers is not None:
        per = max(1, round(preset.customers / max(front_teams(org), 1)))
        org = org.model_copy(update={"customers_per_front_team": per})
    return params.model_copy(update={"org": OrgParams.model_validate(org.model_dump())})
