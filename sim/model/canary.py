"""The customer canary: leadership perceives customer friction late and distorted, and acts on it.

Seed 000 makes customer experience the canary of misalignment ("Surveillez la CX comme votre
canari"); seed 003 has top leaders collect customer feedback and act on it.  This module closes
that loop (issue 11 item 1); docs/ODD.md 7.11.

Perception (daily, after the customers' step).  The friction index and its provenance by (cause,
unit) reach leadership through the manager layers between the front line and the executive:

- each manager layer between the unit where friction arises and the executive softens bad news
  (the "mum effect", Rosen and Tesser 1970; employee silence, Milliken, Morrison and Hewlin
  2003): a share ``1 - (1 - filter)^layers`` of a unit's friction is lost on the way, less where
  leadership is close to customers (``clean``, below).  Friction at the front line is softened
  most, so leadership's picture of where friction arises leans toward the levels near it;
- the report is a first-order information delay of ``delay · (1 + layer_delay · (layers - 1)) ·
  (1 - clean_speedup · clean)`` days (layers: the mean over front teams), with relative noise
  ``(noise + σ_t) · (1 - clean)`` on the total, σ_t the day's signal noise (pressure, shocks and
  disruptions make every signal noisier, this one too);
- ``clean`` is the mean of the executive's empathy (people name friction, seed 000 ¶38) and
  customer bar (leaders who watch the customer, seed 001), so both shorten and clean the signal
  and more layers lengthen and dim it.

Action (on review days).  Leadership reads the perceived friction on a control chart: its norm
(the perceived friction it is used to) and its usual deviation from that norm are learnt over
``norm_days`` (the deviation from days in control only, as Shewhart's limits come from common-cause
variation); once it has a norm, the perceived friction is a signal when it exceeds the norm by the
larger of a material rise (``alarm`` x norm) and ``control_limit`` usual deviations.  On a signal it
acts, drawing once from the model's stream:

- with chance ``fix_propensity · clarity · empathy`` (the executive's: it knows what matters and
  listens to where things break) a targeted fix where the perceived friction is worst: for the
  (cause, unit) cell with the most perceived friction not already being fixed, the teams under
  that unit get, for ``fix_days``: decision rights (``fix_approval_cut`` approval levels fewer) if
  the cause is decision waits; a bridge across the silo if it is silo hand-offs; otherwise
  ``fix_capacity`` extra capacity (flexible resources, seed 001);
- else, once the alarm has held at ``pivot_persistence`` consecutive reviews, with chance
  ``pivot_propensity · (1 - resilience)`` a pivot: the intent moves by
  ``pivot_strength`` toward a theme drawn at random (a reaction to every signal as if it were
  strategic, seed 000 on Resilience), which cascades and causes rework like any pivot;
- else nothing is done this review.

An action restarts the count of alarms (its effect is awaited), and a pivot restarts the chart: a
change of direction changes the process watched, so the norm and deviation are learnt again over
``norm_days`` from the friction that follows (control limits are recomputed after a deliberate
process change) and leadership does not pivot again on the friction its own pivot causes.

With ``fix_propensity`` and ``pivot_propensity`` both 0 the canary perceives but never acts, and
draws only its perception noise (switch it off entirely with ``enabled = false``).
"""

from __future__ import annotations

import numpy as np

from .approvals import teams_below
from .params import ModelParams
from .state import C_DECISION, C_HANDOFF, CAUSES, L_BAR, L_CLARITY, L_EMPATHY, L_RESILIENCE, State, normalize_rows

FIX_KINDS = ("capacity", "decision_rights", "bridge")


class Canary:
    """Leadership's perceived friction, its norm, and the targeted fixes in force."""

    def __init__(self, st: State, params: ModelParams):
        self.perceived = 0.0  # friction index as leadership perceives it (per 100 customers / day)
        self.provenance = np.zeros((len(CAUSES), st.U))  # perceived friction by (cause, unit)
        self.norm = 0.0
        self.spread = 0.0  # usual variance of the perceived friction around the norm (the control chart's)
        self.days = 0  # days of perception so far
        self.learnt = 0  # days of the current norm's learning (restarted by a pivot: a new baseline)
        self.alarms = 0  # consecutive reviews with the perceived friction above the alarm
        front = st.team_unit[st.front] if st.front.any() else st.team_unit
        self.layers = max(0.0, float(st.level[front].mean()) - 1.0)  # managers between the executive and the front
        self.unit_layers = np.maximum(st.level - 1, 0).astype(float)  # managers between each unit and the executive
        self.fixes: list[tuple[int, str, np.ndarray]] = []  # (last day, kind, team indices)
        self.fixed_units: dict[int, int] = {}  # unit -> last day of its fix
        self.fixes_total = 0
        self.pivots_total = 0
        self.fixes_today = 0
        self.pivots_today = 0
        self.log: list[tuple[int, str, int, str]] = []  # (day, action, unit or -1, cause or kind)
        self.fix_capacity, self.fix_cut = params.canary.fix_capacity, params.canary.fix_approval_cut

    # -- effects of the fixes in force (after the interventions of the day are set) -------------
    def apply(self, st: State, step: int) -> None:
        self.fixes = [f for f in self.fixes if f[0] >= step]
        self.fixes_today = self.pivots_today = 0
        for _, kind, teams in self.fixes:
            if kind == "capacity":
                st.iv.capacity_boost[teams] += self.fix_capacity
            elif kind == "decision_rights":
                st.iv.approval_cut[teams] = np.maximum(st.iv.approval_cut[teams], self.fix_cut)
            else:
                st.iv.bridge[teams] = True

    # -- perception and action (after the day's customers) --------------------------------------
    def step(self, st: State, params: ModelParams, rng: np.random.Generator, step: int, noise: float = 0.0) -> None:
        cp = params.canary
        if not cp.enabled:
            return
        lv = st.lever[0]
        clean = 0.5 * (lv[L_EMPATHY] + lv[L_BAR])
        kept = 1.0 - (1.0 - (1.0 - cp.filter) ** self.unit_layers) * (1.0 - cp.clean_filter * clean)
        delay = max(1.0, cp.delay * (1.0 + cp.layer_delay * max(0.0, self.layers - 1.0))
                    * (1.0 - cp.clean_speedup * clean))
        seen = st.friction_step * (kept * (100.0 / max(int(st.active.sum()), 1)))[None, :]
        observed = float(seen.sum()) * max(0.0, 1.0 + (cp.noise + noise) * (1.0 - clean) * rng.normal())
        if self.days == 0:  # leadership has heard about customers before day 0: its picture starts at the
            self.perceived, self.provenance = observed, seen.copy()  # first report, not from nothing
            self.norm = observed
        else:
            self.perceived += (observed - self.perceived) / delay
            self.provenance += (seen - self.provenance) / delay
            weight = 1.0 / min(self.learnt + 1, cp.norm_days)
            dev = self.perceived - self.norm
            # the usual spread is learnt from days in control (Shewhart: limits from common-cause
            # variation only), and from every day while the norm is still being learnt
            if self.learnt < cp.norm_days or dev <= self.limit(cp):
                self.spread += (dev * dev - self.spread) * weight
            self.norm += dev * weight
        self.days += 1
        self.learnt += 1
        if self.learnt < cp.norm_days or step % cp.review_every != 0:
            return
        if self.perceived <= self.norm + self.limit(cp) or self.perceived <= 0.0:
            self.alarms = 0
            return
        self.alarms += 1  # consecutive reviews in alarm
        p_fix = min(1.0, cp.fix_propensity * lv[L_CLARITY] * lv[L_EMPATHY])
        p_pivot = min(1.0 - p_fix, cp.pivot_propensity * (1.0 - lv[L_RESILIENCE]))
        if self.alarms < cp.pivot_persistence:  # one week's excursion is not yet a change of direction
            p_pivot = 0.0
        if p_fix == 0.0 and p_pivot == 0.0:
            return
        u = rng.random()
        if u < p_fix:
            self._fix(st, step, cp)
            self.alarms = 0  # an action restarts the run: its effect is awaited before another pivot
        elif u < p_fix + p_pivot:
            self._pivot(st, rng, step, cp.pivot_strength)
            self.alarms = 0
            # a change of direction changes the process the chart watches: leadership learns a new
            # norm and spread from the friction it now gets before it reads an alarm again (control
            # limits are recomputed after a deliberate process change), so it does not pivot on the
            # friction its own pivot causes
            self.learnt = 0
            self.norm, self.spread = self.perceived, 0.0

    def limit(self, cp) -> float:
        """How far above the norm the perceived friction must be to be a signal: the larger of a
        material rise (``alarm`` x norm) and ``control_limit`` usual deviations (a control chart)."""
        return max(cp.alarm * self.norm, cp.control_limit * float(np.sqrt(self.spread)))

    def _fix(self, st: State, step: int, cp) -> None:
        self.fixed_units = {u: end for u, end in self.fixed_units.items() if end >= step}
        cells = self.provenance.copy()
        if self.fixed_units:
            cells[:, list(self.fixed_units)] = 0.0
        cause, unit = np.unravel_index(int(np.argmax(cells)), cells.shape)
        if cells[cause, unit] <= 0.0:
            return
        kind = "decision_rights" if cause == C_DECISION else "bridge" if cause == C_HANDOFF else "capacity"
        teams = teams_below(st, int(unit))
        end = step + cp.fix_days
        self.fixes.append((end, kind, teams))
        self.fixed_units[int(unit)] = end
        self.fixes_total += 1
        self.fixes_today += 1
        self.log.append((step, kind, int(unit), CAUSES[cause]))

    def _pivot(self, st: State, rng: np.random.Generator, step: int, strength: float) -> None:
        target = np.zeros(st.reading.shape[1])
        target[int(rng.integers(target.size))] = 1.0
        new = normalize_rows((1.0 - strength) * st.reading[0] + strength * target, 0.02)
        st.change[0] = new - st.reading[0]
        st.reading[0] = new
        st.version[0] += 1
        st.tick.pivots += 1
        self.pivots_total += 1
        self.pivots_today += 1
        self.log.append((step, "pivot", -1, ""))
