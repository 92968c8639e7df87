"""Named interventions: the what-if levers of MODEL.md as scoped, timed events.

Each intervention applies to the whole organisation, a division or a manager's subtree, from a
step, optionally for a duration, ramping in linearly over ``ramp`` days.  What each changes:

- ``decision-rights-charter``: ownership of the managers in scope rises to ``value`` (a lever
  change).  Seed 000, Ownership: visible decision rights.
- ``priorities-memo``: clarity in scope rises to ``value``.  Seed 000, Clarity: named trade-offs.
- ``customer-rituals``: empathy and the customer bar in scope rise to ``value``: friction is
  named earlier, managers bend rules for customers.  Seed 002: shared listening, verbatims.
- ``remove-approval-steps``: calls raised by scope teams need ``value`` fewer approval levels.
  Seed 001 (Forrester): remove obstacles.
- ``flexible-budget``: scope teams get ``value`` extra capacity (share).  Seed 001: small,
  flexible allocations of resources.
- ``coaching``: hires in scope teams ramp up with ``value`` of their ramp time removed.  Seed 002.
- ``merge-silos``: hand-offs to or from scope teams no longer count as crossing a silo.
- ``hiring-freeze``: leavers of scope teams are not replaced while it lasts.
- ``demand-surge``: customers of scope teams make ``value`` more requests.
- ``competitor-disruption``: customers of scope teams accept a wait shorter by ``value``
  (expected wait / (1 + value)), leadership's signals get ``noise`` noisier, and the market's need
  jumps by ``need_shift`` toward a random theme when it starts.

Lever interventions become lever changes (with a reversal at the end when a duration is set);
the others set per-team arrays that the mechanisms read every step.  Nothing outside the scope
changes.
"""

from __future__ import annotations

import numpy as np

from .environment import LeverChange
from .params import INTERVENTIONS, InterventionEvent, LeverEvent
from .state import Active, State


def lever_changes(ev: InterventionEvent, units: np.ndarray) -> list[LeverChange]:
    """The lever changes an intervention stands for (empty for non-lever interventions)."""
    what = INTERVENTIONS[ev.type][0]
    if not what.startswith("lever:"):
        return []
    out = []
    for lever in what.removeprefix("lever:").split(","):
        le = LeverEvent(type="lever", step=ev.step, lever=lever, value=ev.value, ramp=ev.ramp,
                        scope=ev.scope, label=ev.label)
        out.append(LeverChange(le, units, end=ev.end))
    return out


def strength(ev: InterventionEvent, step: int) -> float:
    """Share of the intervention in force on ``step`` (0 before and after, ramping in)."""
    if step < ev.step or (ev.end is not None and step >= ev.end):
        return 0.0
    if ev.ramp == 0:
        return 1.0
    return min(1.0, (step - ev.step + 1) / ev.ramp)


def apply_interventions(st: State, scheduled: list[tuple[InterventionEvent, np.ndarray]],
                        step: int) -> None:
    """Fill ``st.iv`` for ``step`` from the interventions in force (teams: team indices in scope)."""
    active: Active = st.iv
    active.reset()
    for ev, teams in scheduled:
        f = strength(ev, step)
        if f == 0.0:
            continue
        what, value = INTERVENTIONS[ev.type][0], float(ev.value)
        if what == "approval_cut":
            active.approval_cut[teams] = np.maximum(active.approval_cut[teams], round(value * f))
        elif what == "capacity_boost":
            active.capacity_boost[teams] += value * f
        elif what == "coaching":
            active.coaching[teams] = np.maximum(active.coaching[teams], value * f)
        elif what == "bridge":
            active.bridge[teams] = True
        elif what == "freeze":
            active.freeze[teams] = True
        elif what == "demand_boost":
            active.demand_boost[teams] += value * f
        elif what == "disruption":
            active.expectation_boost[teams] += value * f
            active.noise += ev.noise * f
