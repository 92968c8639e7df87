"""Every KPI and every friction cause of the model, declared once.

A :class:`Kpi` is one column of the daily series (``timeseries.csv``): the function that computes
the day's value from the model, and what every face needs to show it (label, unit, which direction
is better, how a run is summarised over a window, how a chart draws it). The model's recorder is
built from :data:`KPIS` (:func:`model_reporters`); compare's KPI table, the run summary and figure,
the dashboard's charts and the sweep plots read the same declarations. Adding a KPI means adding its
function and one ``Kpi(...)`` line here.

A :class:`Cause` is one friction cause (``sim.model.state.CAUSES``), with its label and its colour.
The colours are the Okabe-Ito palette (Okabe and Ito, *Color Universal Design*, 2008), chosen to
stay distinct under the common colour-vision deficiencies; pivots are purple and escalations orange
everywhere (the dashboard's edges and marks use the same two).

Reporters are module-level functions (no lambdas) so that models stay picklable. Rates about
finished requests are over the requests finished in that step (0 when none finished); waits and
decision latency carry the last observed value forward over steps in which nothing finished, so
that the series has no gaps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .state import BACK, CAUSES, DECISION, FRONT, NONE, ROUTE, distance

HOWS = ("mean", "total", "final")  # a run summarised over a window: its mean, its total, its last day
SMOOTHS = ("raw", "mean", "sum")  # a daily series over time: as is, rolling mean, rolling sum
ROLL = 7  # days of those rolling windows
SMOOTHED = {"raw": "", "mean": f", {ROLL}-day mean", "sum": f", {ROLL}-day sum"}  # said in chart titles


@dataclass(frozen=True)
class Kpi:
    """One series column and how every face shows it.

    - ``label``: lower-case name in tables, sentences and legends (a ``final`` KPI says
      "(last day)"); ``unit``: its unit in tables;
    - ``how``: a run summarised over a window: ``mean``, ``total`` or ``final`` (last day);
    - ``better``: +1 higher is better, -1 lower is better, 0 neither;
    - ``reporter``: the day's value from the model;
    - ``title``, ``axis``: chart title (default: the label, capitalised) and short unit on axes
      (default: the unit);
    - ``smooth``: how charts over time draw the daily series: ``raw``, ``mean`` (7-day rolling
      mean, for noisy daily rates) or ``sum`` (rolling sum; the dashboard shows it cumulative);
    - ``compared``: a KPI of compare's table and the run summary (False: recorded only, for
      diagnosis); ``dashboard``: a chart on the workshop dashboard;
    - ``after``: list it after this KPI in tables instead of in declaration order.
    """

    column: str
    label: str
    unit: str
    how: str
    better: int
    reporter: Callable[[Any], float] | None = None
    title: str = ""
    axis: str = ""
    smooth: str = "raw"
    compared: bool = True
    dashboard: bool = False
    after: str = ""

    def __post_init__(self) -> None:
        if self.how not in HOWS or self.smooth not in SMOOTHS or self.better not in (-1, 0, 1):
            raise ValueError(f"KPI {self.column}: how {self.how!r}, smooth {self.smooth!r}, better {self.better!r}")

    @property
    def chart_title(self) -> str:
        return self.title or self.label[:1].upper() + self.label[1:]

    @property
    def axis_unit(self) -> str:
        return self.axis or self.unit


@dataclass(frozen=True)
class Cause:
    """A friction cause: its key (``sim.model.state.CAUSES``), label in reports, short label for
    small legends and colour."""

    key: str
    label: str
    short: str
    colour: str

    @property
    def column(self) -> str:
        return f"friction_{self.key}"


# -- reporters ----------------------------------------------------------------------------------------
def _active(m) -> int:
    return max(int(np.count_nonzero(m.state.active)), 1)  # count_nonzero: a tenth of sum's time on bools


def friction_index(m) -> float:
    """Customer friction units booked this step per 100 active customers (see friction.py)."""
    return 100.0 * float(m.state.friction_step.sum()) / _active(m)


def friction_by_cause(m, cause: int) -> float:
    return 100.0 * float(m.state.friction_step[cause].sum()) / _active(m)


def customers_waiting(m) -> float:
    """Share of active customers with a request open: customer waiting, free of survivor bias."""
    st = m.state
    waiting = np.zeros(st.C, dtype=bool)
    waiting[st.req_cust[st.stage != NONE]] = True  # open_count() > 0, without counting
    return float(np.count_nonzero(st.active & waiting)) / _active(m)


def wait_mean(m) -> float:
    return m.last["wait_mean"]


def wait_p90(m) -> float:
    return m.last["wait_p90"]


def _per_done(m, count: float) -> float:
    return count / max(m.state.tick.completed, 1)


def explanations_per_request(m) -> float:
    return _per_done(m, m.state.tick.done_explanations)


def inconsistent_rate(m) -> float:
    return _per_done(m, m.state.tick.done_inconsistent)


def escalation_rate(m) -> float:
    return _per_done(m, m.state.tick.done_escalated)


def bounce_rate(m) -> float:
    return _per_done(m, m.state.tick.done_bounced)


def satisfaction(m) -> float:
    st = m.state
    return float(st.satisfaction[st.active].mean()) if st.active.any() else 0.0


def retention(m) -> float:
    return int(np.count_nonzero(m.state.active)) / m.state.C if m.state.C else 1.0  # = active.mean(), exactly


def churned(m) -> int:
    return m.state.tick.churned


def customers_lost_share(m) -> float:
    """Share of the day-0 customer base lost so far (survivors' KPIs do not show it)."""
    return m.state.total_churned / m.state.C if m.state.C else 0.0


def decision_latency(m) -> float:
    return m.last["decision_latency"]


def escalations(m) -> int:
    return m.state.tick.escalations


def escalations_to_level(m, level: int) -> int:
    return m.state.tick.escalations_by_level.get(level, 0)


def approvals_waiting(m) -> int:
    return int(np.count_nonzero(m.state.stage == DECISION))


def meeting_load(m) -> float:
    """Share of team hours burned in consensus meetings this step."""
    from .work import capacity

    cap = capacity(m.state, m.params).sum()
    return float(min(m.state.meeting_load.sum(), cap) / max(cap, 1e-9))


def pivots(m) -> int:
    return m.state.tick.pivots


def priority_churn(m) -> float:
    """Mean change of the teams' priority readings this step (total-variation distance)."""
    return m.state.tick.priority_churn


def alignment(m) -> float:
    """Mean agreement of the teams' readings with the executive's intent (1 - TV distance)."""
    st = m.state
    return float(1.0 - distance(st.reading[st.team_unit], st.reading[0][None, :]).mean())


def fit_to_need(m) -> float:
    """Mean agreement of the teams' readings with the market's true need."""
    st = m.state
    return float(1.0 - distance(st.reading[st.team_unit], st.need[None, :]).mean())


def effort(m) -> float:
    return m.state.tick.effort


def value(m) -> float:
    return m.state.tick.value


def rework_share(m) -> float:
    return m.state.tick.rework / max(m.state.tick.effort, 1e-9)


def waste_share(m) -> float:
    return m.state.tick.waste / max(m.state.tick.effort, 1e-9)


def commitment(m) -> float:
    return float(m.state.commitment.mean())


def fatigue(m) -> float:
    return float(m.state.fatigue.mean())


def engagement(m) -> float:
    st = m.state
    return float(st.engagement[st.team_unit].mean())


def attrition(m) -> int:
    return m.state.tick.leavers


def headcount(m) -> int:
    return int(m.state.headcount.sum())


def pressure(m) -> float:
    return float(m.pressure)


def signal_noise(m) -> float:
    return float(m.noise)


def friction_seen(m) -> float:
    """Friction index as leadership currently perceives it (delayed)."""
    return float(m.state.info_friction)


def friction_perceived(m) -> float:
    """Customer friction as leadership perceives it through the canary (delayed and softened by the
    manager layers, cleaner with empathy and the customer bar; sim/model/canary.py)."""
    return float(m.canary.perceived)


def canary_fixes(m) -> int:
    """Targeted fixes leadership made today on perceived customer friction."""
    return m.canary.fixes_today


def canary_pivots(m) -> int:
    """Pivots leadership made today in reaction to perceived customer friction."""
    return m.canary.pivots_today


def new_requests(m) -> int:
    return m.state.tick.new_requests


def requests_balked(m) -> int:
    """Requests customers did not make because they already held ``demand.max_open`` open."""
    return m.state.tick.balked


def chasers(m) -> int:
    """Contacts chasing an overdue request today (failure demand, ``demand.chase``)."""
    return m.state.tick.chasers


def arrivals(m) -> int:
    """New customers today (``customers.arrive``)."""
    return m.state.tick.arrived


def service_standard(m) -> float:
    """Mean time per task the teams give today, relative to the original standard (1: as at the
    start; lower: cut under pressure or eroded, ``demand.erode_standards``)."""
    return float(m.state.time_per_task.mean())


def defect_rate(m) -> float:
    """Finished requests that came back defective today, per request finished or sent back."""
    tk = m.state.tick
    return tk.defects / max(tk.completed + tk.defects, 1)


def completed(m) -> int:
    return m.state.tick.completed


def waiting(m) -> int:
    """Open requests not yet worked on in their current stage (queued, routing or in decision)."""
    st = m.state
    queued = ((st.stage == FRONT) | (st.stage == BACK)) & (st.remaining >= st.work_total)
    return int(np.count_nonzero(queued | (st.stage == ROUTE) | (st.stage == DECISION)))


def in_work(m) -> int:
    st = m.state
    return int(np.count_nonzero(((st.stage == FRONT) | (st.stage == BACK)) & (st.remaining < st.work_total)))


def done_total(m) -> int:
    return m.state.total_completed


def abandoned_total(m) -> int:
    return m.state.total_abandoned


def requests_total(m) -> int:
    return m.state.total_requests


# -- declarations ---------------------------------------------------------------------------------------
FRICTION_UNIT = "friction units per 100 customers per day"
PER_DONE = "per finished request"


def _k(reporter: Callable, label: str, unit: str, how: str, better: int, **show: Any) -> Kpi:
    return Kpi(reporter.__name__, label, unit, how, better, reporter=reporter, **show)


# In the order of the columns of timeseries.csv; after them the friction causes, then one
# escalations_to_level_L per level of the organisation.
KPIS: tuple[Kpi, ...] = (
    _k(friction_index, "customer friction", FRICTION_UNIT, "mean", -1, axis="per 100 customers / day",
       smooth="mean", dashboard=True),
    _k(customers_waiting, "customers with a request open", "share", "mean", -1, after="wait_p90"),
    _k(wait_mean, "mean wait", "days", "mean", -1, title="Mean wait of finished requests", smooth="mean"),
    _k(wait_p90, "90th-percentile wait", "days", "mean", -1, smooth="mean"),
    _k(explanations_per_request, "repeated explanations", PER_DONE, "mean", -1),
    _k(inconsistent_rate, "inconsistent answers", PER_DONE, "mean", -1),
    _k(escalation_rate, "escalated requests", PER_DONE, "mean", -1),
    _k(bounce_rate, "bounced-back requests", PER_DONE, "mean", -1),
    _k(satisfaction, "customer satisfaction", "level 0-1", "mean", +1, axis="0..1", dashboard=True),
    _k(retention, "customer retention (last day)", "share of customers", "final", +1, title="Customer retention",
       axis="share"),
    _k(churned, "customers lost", "customers", "total", -1, smooth="sum"),
    _k(customers_lost_share, "customer base lost (last day)", "share of the day-0 base", "final", -1,
       title="Customer base lost", axis="share"),
    _k(decision_latency, "decision latency", "days", "mean", -1, smooth="mean", dashboard=True),
    _k(escalations, "escalations", "escalations", "total", -1, axis="per day", smooth="mean", dashboard=True),
    _k(approvals_waiting, "approvals waiting", "decisions", "mean", -1),
    _k(meeting_load, "meeting load", "share of team hours", "mean", -1),
    _k(pivots, "leadership pivots", "pivots", "total", -1, title="Pivots", smooth="sum", dashboard=True),
    _k(priority_churn, "priority churn", "mean change of the teams' readings", "mean", -1, compared=False),
    _k(alignment, "alignment with intent", "level 0-1", "mean", +1, axis="0..1"),
    _k(fit_to_need, "fit to the market's need", "level 0-1", "mean", +1, axis="0..1", compared=False),
    _k(rework_share, "rework", "share of effort", "mean", -1),
    _k(waste_share, "wasted effort", "share of effort", "mean", -1),
    _k(effort, "effort", "person-days", "total", 0, axis="person-days / day", smooth="mean"),
    _k(value, "value delivered", "person-days", "total", +1, axis="person-days / day", smooth="mean"),
    _k(commitment, "commitment", "level 0-1", "mean", +1, axis="0..1", compared=False),
    _k(fatigue, "fatigue", "level 0-1", "mean", -1, title="Team fatigue", axis="0..1", dashboard=True),
    _k(engagement, "engagement", "level 0-1", "mean", +1, axis="0..1"),
    _k(attrition, "leavers", "people", "total", -1, smooth="sum"),
    _k(headcount, "headcount (last day)", "people", "final", 0, title="Headcount"),
    _k(pressure, "external pressure", "level", "mean", -1, compared=False),
    _k(signal_noise, "signal noise", "level", "mean", -1, compared=False),
    _k(friction_seen, "customer friction as leadership sees it", FRICTION_UNIT, "mean", -1, compared=False),
    _k(friction_perceived, "customer friction as the canary shows it", FRICTION_UNIT, "mean", -1, compared=False),
    _k(canary_fixes, "targeted fixes on customer friction", "fixes", "total", 0, compared=False, smooth="sum"),
    _k(canary_pivots, "pivots on customer friction", "pivots", "total", -1, compared=False, smooth="sum"),
    _k(new_requests, "new requests", "requests", "total", 0, compared=False, smooth="mean"),
    _k(requests_balked, "requests not made (customer at max_open)", "requests", "total", -1, compared=False,
       smooth="mean"),
    _k(chasers, "chasers (failure demand)", "contacts", "total", -1, smooth="mean"),
    _k(arrivals, "new customers", "customers", "total", +1, compared=False, smooth="sum"),
    _k(service_standard, "time per task, relative to the original standard", "share", "mean", +1, axis="share",
       smooth="mean"),
    _k(defect_rate, "defective requests", "per finished request", "mean", -1, smooth="mean"),
    _k(completed, "finished requests", "requests", "total", +1, compared=False, smooth="mean"),
    _k(waiting, "requests waiting", "requests", "mean", -1, compared=False),
    _k(in_work, "requests in work", "requests", "mean", 0, compared=False),
    _k(done_total, "requests finished so far", "requests", "final", +1, compared=False),
    _k(abandoned_total, "requests abandoned so far", "requests", "final", -1, compared=False),
    _k(requests_total, "requests made so far", "requests", "final", 0, compared=False),
)

FRICTION_CAUSES: tuple[Cause, ...] = (  # Okabe-Ito colours, in the order of sim.model.state.CAUSES
    Cause("pivot_rework", "pivots and rework", "pivot", "#CC79A7"),  # reddish purple
    Cause("decision_escalation", "decision waits and escalations", "escalation", "#E69F00"),  # orange
    Cause("silo_handoff", "hand-offs across silos", "silo", "#009E73"),  # bluish green
    Cause("overload_fatigue", "overload and fatigue", "overload", "#D55E00"),  # vermillion
    Cause("misalignment", "misalignment", "misaligned", "#0072B2"),  # blue
)
if tuple(c.key for c in FRICTION_CAUSES) != CAUSES:
    raise RuntimeError("FRICTION_CAUSES must declare sim.model.state.CAUSES, in that order")

CAUSE_KPIS: tuple[Kpi, ...] = tuple(
    Kpi(c.column, f"friction from {c.key.replace('_', ' ')}", FRICTION_UNIT, "mean", -1,
        reporter=partial(friction_by_cause, cause=i), title=f"Friction from {c.label}", axis="per 100 customers / day",
        smooth="mean")
    for i, c in enumerate(FRICTION_CAUSES))

_BY_COLUMN = {k.column: k for k in (*KPIS, *CAUSE_KPIS)}
_BY_CAUSE = {c.key: c for c in FRICTION_CAUSES}
LEVEL_PREFIX = "escalations_to_level_"


def escalation_level_kpi(level: int) -> Kpi:
    """The KPI of escalations to one level of the organisation (0 is the executive)."""
    return Kpi(f"{LEVEL_PREFIX}{level}", f"escalations to level {level}", "escalations", "total", -1,
               reporter=partial(escalations_to_level, level=level), smooth="mean", compared=False)


def series_kpis(levels: int) -> tuple[Kpi, ...]:
    """Every column of the daily series, in order, for an organisation with ``levels`` levels above
    its deepest units."""
    return (*KPIS, *CAUSE_KPIS, *(escalation_level_kpi(level) for level in range(levels)))


def model_reporters(m) -> dict[str, Callable]:
    """The recorder's reporters for this model: column -> function (the escalation columns depend
    on the organisation's depth)."""
    return {k.column: k.reporter for k in series_kpis(int(m.state.level.max()))}


def kpi(column: str) -> Kpi | None:
    """The declaration of a series column (None for a column the model does not report)."""
    found = _BY_COLUMN.get(column)
    if found is None and column.startswith(LEVEL_PREFIX) and column.removeprefix(LEVEL_PREFIX).isdigit():
        found = escalation_level_kpi(int(column.removeprefix(LEVEL_PREFIX)))
    return found


def kpi_label(column: str) -> str:
    """A column's label (the column itself for one the model does not report)."""
    found = kpi(column)
    return found.label if found else column


def cause(key: str) -> Cause | None:
    return _BY_CAUSE.get(key)


def cause_label(key: str) -> str:
    """A cause's label in reports (its key with spaces for an unknown one)."""
    found = _BY_CAUSE.get(key)
    return found.label if found else key.replace("_", " ")


def table_order(kpis: tuple[Kpi, ...] | list[Kpi]) -> list[Kpi]:
    """``kpis`` in the order of tables: declaration order, each ``after`` KPI moved behind the one it
    names (when present)."""
    out = [k for k in kpis if not k.after]
    for k in kpis:
        if k.after:
            names = [o.column for o in out]
            out.insert(names.index(k.after) + 1 if k.after in names else len(out), k)
    return out


COMPARED: tuple[Kpi, ...] = tuple(table_order([k for k in KPIS if k.compared]))  # compare's table, run summary
DASHBOARD: tuple[Kpi, ...] = tuple(k for k in KPIS if k.dashboard)  # the dashboard's charts, in order
