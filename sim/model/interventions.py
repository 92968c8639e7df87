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
- ``onboarding`` (formerly ``coaching``, still accepted with a note): hires in scope teams ramp
  up with ``value`` of their ramp time removed.  Seed 002.
- ``manager-coaching``: the team leads of scope teams get ``value`` added to their engagement
  target (people.py), which their teams' engagement follows.  Seed 002: coaching managers,
  "70% of team engagement depends on the manager".
- ``merge-silos``: hand-offs to or from scope teams no longer count as crossing a silo.
- ``hiring-freeze``: leavers of scope teams are not replaced while it lasts.
- ``demand-surge``: customers of scope teams make ``value`` more requests.
- ``competitor-disruption``: customers of scope teams accept a wait shorter by ``value``
  (expected wait / (1 + value)), leadership's signals get ``noise`` noisier, and the market's need
  jumps by ``need_shift`` toward a random theme when it starts.

Lever interventions become lever changes (with a reversal at the end when a duration is set);
the others set per-team arrays that the mechanisms read every step.  Nothing outside the scope
changes.

Reach (issue 11 item 9): :class:`Reach` counts what each intervention reached while in force:
decisions (calls, front-line or sign-offs, whose approval height ``remove-approval-steps``
lowered), hand-offs (across a division boundary, kept from being a silo by ``merge-silos``),
customers (of the scope's front teams) and teams.  :func:`potential_reach` says before a run
whether a scope can reach anything at all; the model turns a zero into a warning
("remove-approval-steps in Risk & Compliance reached 0 decisions").
"""

from __future__ import annotations

import numpy as np

from .environment import LeverChange
from .params import INTERVENTIONS, InterventionEvent, LeverEvent
from .state import Active, State

# what each kind of intervention acts on (the count its warning names); the rest act on teams
REACHES = {"approval_cut": "decisions", "bridge": "hand-offs", "demand_boost": "customers",
           "disruption": "customers"}


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
    st.manager_coaching = np.zeros(st.U)  # engagement added to managers' targets (manager-coaching)
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
        elif what == "manager_coaching":
            leads = st.team_mgr[teams]
            st.manager_coaching[leads] = np.maximum(st.manager_coaching[leads], value * f)
        elif what == "bridge":
            active.bridge[teams] = True
        elif what == "freeze":
            active.freeze[teams] = True
        elif what == "demand_boost":
            active.demand_boost[teams] += value * f
        elif what == "disruption":
            active.expectation_boost[teams] += value * f
            active.noise += ev.noise * f


class Reach:
    """Today's calls and hand-offs an intervention could have reached, attributed each day to the
    interventions in force whose scope covers them (overlapping scopes each count them)."""

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []  # team indices of calls whose approval height was cut today
        self.bridged: list[tuple[np.ndarray, np.ndarray]] = []  # (src, dst) of hand-offs a bridge kept unsiloed
        self.counts: list[dict[str, int]] = []  # per scheduled intervention: decisions, hand-offs

    def new_day(self) -> None:
        self.calls.clear()
        self.bridged.clear()

    def add_calls(self, teams: np.ndarray) -> None:
        if teams.size:
            self.calls.append(teams)

    def add_bridged(self, src: np.ndarray, dst: np.ndarray) -> None:
        if src.size:
            self.bridged.append((src, dst))

    def attribute(self, st: State, scheduled: list[tuple[InterventionEvent, np.ndarray]], step: int) -> None:
        while len(self.counts) < len(scheduled):
            self.counts.append({"decisions": 0, "hand-offs": 0})
        if not self.calls and not self.bridged:
            return
        calls = np.concatenate(self.calls) if self.calls else np.zeros(0, dtype=np.int64)
        for (ev, teams), count in zip(scheduled, self.counts, strict=True):
            what = INTERVENTIONS[ev.type][0]
            if what not in ("approval_cut", "bridge") or strength(ev, step) == 0.0:
                continue
            mask = np.zeros(st.T, dtype=bool)
            mask[teams] = True
            if what == "approval_cut":
                count["decisions"] += int(mask[calls].sum())
            else:
                count["hand-offs"] += sum(int((mask[a] | mask[b]).sum()) for a, b in self.bridged)


def potential_reach(st: State, ev: InterventionEvent, teams: np.ndarray) -> int:
    """What an intervention's scope could reach at all (0: nothing it acts on is in scope): for
    remove-approval-steps the front teams and sign-off teams in scope, for merge-silos the
    hand-off edges across divisions touching the scope, for demand and disruption the customers
    of the scope's teams, else the teams in scope."""
    what = INTERVENTIONS[ev.type][0]
    if what == "approval_cut":
        return int(st.front[teams].sum() + (st.signoff[teams] > 0).sum())
    if what == "bridge":
        mask = np.zeros(st.T, dtype=bool)
        mask[teams] = True
        src = np.repeat(np.arange(st.T), np.diff(st.dep_ptr))
        dst = st.dep_idx
        cross = st.division[st.team_unit[src]] != st.division[st.team_unit[dst]]
        return int((cross & (mask[src] | mask[dst])).sum())
    if REACHES.get(what) == "customers":
        return int(np.isin(st.cust_team, teams).sum())
    return int(teams.size)


def scope_label(ev: InterventionEvent) -> str:
    if ev.scope.division is not None:
        return f"in {ev.scope.division}"
    if ev.scope.manager is not None:
        return f"under {ev.scope.manager}"
    return "in the whole organisation"
