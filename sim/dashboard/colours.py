"""Colour scales for the dashboard: bad is red, good is blue (matplotlib's colour-blind-safe
RdYlBu, sampled once into a lookup table), missing values grey, churned customers near-black.

Chosen for a projector: saturated ends, a light but not white middle, and no meaning carried by
red against green alone.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from sim.model.kpis import FRICTION_CAUSES

MISSING = "#b0b0b0"
CHURNED = "#2b2b2b"
LEVELS = 32  # distinct colours of a scale (quantised, so that equal colours can be drawn together)


# Projector mode: a washed-out projector flattens light colours toward the white screen, and
# RdYlBu's pale yellow middle vanishes.  This scale keeps every level dark enough to stand out on
# white: deep red (bad), a neutral mid grey, deep blue (good).  Churned customers are left out of
# the picture (a gap: the customer is gone), which no wash-out can confuse with a colour.
PROJECTOR_ANCHORS = ("#b0001c", "#6b6b6b", "#0b3a8c")
CHURNED_PROJECTOR = "#ffffff"
PALETTES = ("default", "projector")


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in rgb[:3]))


@cache
def _table(good_high: bool, palette: str = "default") -> tuple[str, ...]:
    if palette == "projector":
        anchors = np.array([[int(h[i: i + 2], 16) / 255 for i in (1, 3, 5)] for h in PROJECTOR_ANCHORS])
        xs = np.linspace(0.0, 1.0, LEVELS)
        rgb = np.column_stack([np.interp(xs, [0.0, 0.5, 1.0], anchors[:, j]) for j in range(3)])
        return tuple(_hex(row) for row in (rgb if good_high else rgb[::-1]))
    from matplotlib import colormaps

    cmap = colormaps["RdYlBu"]
    xs = np.linspace(0.03, 0.97, LEVELS)  # skip the palest ends' neighbours: more contrast
    rgba = cmap(xs if good_high else xs[::-1])
    return tuple(_hex(row) for row in rgba)


def levels(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Index 0..LEVELS-1 of each value on [lo, hi] (clipped); -1 for NaN."""
    v = np.asarray(values, dtype=float)
    span = hi - lo if hi > lo else 1.0
    idx = np.clip(np.floor((v - lo) / span * LEVELS), 0, LEVELS - 1)
    return np.where(np.isnan(v), -1, idx).astype(np.int64)


def colours(values: np.ndarray, lo: float, hi: float, good_high: bool, palette: str = "default") -> list[str]:
    """Hex colour of each value on the scale [lo, hi]; ``good_high``: high values are blue."""
    table = _table(bool(good_high), palette)
    return [MISSING if i < 0 else table[i] for i in levels(values, lo, hi).tolist()]


def colour_of_level(index: int, good_high: bool) -> str:
    return MISSING if index < 0 else _table(bool(good_high))[index]


def ramp(good_high: bool, n: int = 5, palette: str = "default") -> list[str]:
    """``n`` colours from the low to the high end of a scale (for legends)."""
    table = _table(bool(good_high), palette)
    return [table[round(i * (LEVELS - 1) / (n - 1))] for i in range(n)]


# series colours: organisation A, organisation B (twins); the friction causes as declared in
# sim.model.kpis (Okabe-Ito), whose pivot and escalation colours the org chart's edges and marks share
ORG = ("#1f4e9c", "#d1495b")
ORG_PROJECTOR = ("#0b3a8c", "#a63d00")  # darker: A deep blue, B deep orange, both white-on-colour legible
CAUSE = {c.key: c.colour for c in FRICTION_CAUSES}
PIVOT_EDGE = CAUSE["pivot_rework"]
ESCALATION_EDGE = CAUSE["decision_escalation"]
MARK = {"shock": "#c0392b", "pivot": PIVOT_EDGE, "leader": "#1b7f3b", "lever": "#555555", "bookmark": "#00695c",
        "branch": "#111111"}


def darker(hex_colour: str, factor: float = 0.7) -> str:
    """``hex_colour`` with every channel scaled by ``factor`` (text in a light colour on a projector)."""
    return _hex([int(hex_colour[i: i + 2], 16) / 255 * factor for i in (1, 3, 5)])
