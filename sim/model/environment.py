"""Step 1, environment: pressure, signal noise and the market's need follow the scenario's
timeline; scheduled events fire (shocks; lever changes scoped to the organisation, a division or
a manager's subtree).  Seed 000, 'Pressure'; MODEL.md step 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import LEVERS, THEMES, InterventionEvent, LeverEvent, ModelParams, ShockEvent
from .state import K, State, normalize_rows


def pressure_at(params: ModelParams, step: int) -> float:
    """Timeline pressure (piecewise linear between points, flat outside) plus active shocks."""
    tl = params.pressure.timeline
    if tl:
        xs = [s for s, _ in tl]
        ys = [v for _, v in tl]
        base = float(np.interp(step, xs, ys))
    else:
        base = params.pressure.baseline
    extra = sum(e.pressure for e in params.events
                if isinstance(e, ShockEvent) and e.step <= step < e.step + e.duration)
    return base + extra


def noise_at(params: ModelParams, step: int, pressure: float) -> float:
    extra = sum(e.noise for e in params.events
                if isinstance(e, ShockEvent) and e.step <= step < e.step + e.duration)
    return params.pressure.noise + params.pressure.noise_gain * pressure + extra


@dataclass
class LeverChange:
    """A lever event resolved to unit indices, with the start values captured when it begins."""

    event: LeverEvent
    units: np.ndarray
    start: np.ndarray | None = None
    end: int | None = None  # from this step on the levers return to their start values


def apply_environment(st: State, params: ModelParams, rng: np.random.Generator, step: int,
                      lever_changes: list[LeverChange]) -> tuple[float, float]:
    """Advance the environment to ``step``; return (pressure, signal noise)."""
    pressure = pressure_at(params, step)
    noise = noise_at(params, step, pressure)
    # the market's true need drifts slowly; a shock shifts it toward one theme
    drift = params.pressure.need_drift
    if drift > 0:
        st.need = normalize_rows(st.need + drift * rng.normal(0.0, 1.0, K) * st.need, 0.02)
    for e in params.events:
        if isinstance(e, ShockEvent | InterventionEvent) and e.step == step and e.need_shift > 0 \
                and (isinstance(e, ShockEvent) or e.type == "competitor-disruption"):
            target = np.zeros(K)
            theme = getattr(e, "theme", None)
            target[THEMES.index(theme) if theme else rng.integers(K)] = 1.0
            st.need = normalize_rows((1 - e.need_shift) * st.need + e.need_shift * target, 0.02)
    for ch in lever_changes:
        ev = ch.event
        li = LEVERS.index(ev.lever)
        if ch.end is not None and step == ch.end and ch.start is not None:
            st.lever_level[ch.units, li] = ch.start
            st.lever[ch.units, li] = np.clip(ch.start + st.lever_dev[ch.units, li], 0, 1)
            continue
        if step < ev.step or step >= ev.step + max(ev.ramp, 1) or (ch.end is not None and step > ch.end):
            continue
        if ch.start is None:
            ch.start = st.lever_level[ch.units, li].copy()
        frac = 1.0 if ev.ramp == 0 else (step - ev.step + 1) / ev.ramp  # day 1 of a ramp: 1/ramp
        st.lever_level[ch.units, li] = ch.start + (ev.value - ch.start) * frac
        st.lever[ch.units, li] = np.clip(st.lever_level[ch.units, li] + st.lever_dev[ch.units, li], 0, 1)
    return pressure, noise
