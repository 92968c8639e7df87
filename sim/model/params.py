"""Typed, validated parameters of the CORE alignment model.

Every constant a rule uses lives here, with its unit, allowed range, default and the reason
for the default (``rationale``). ``docs/ODD.md``'s parameter table is generated from these
declarations (``python -m sim params --markdown``), so the table and the code cannot drift.

The model constructor takes one :class:`ModelParams`; scenario files are named instances of it.
"""

from __future__ import annotations

import itertools
import types
import typing
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

THEMES = ("speed", "cost", "quality", "compliance")
LEVERS = ("clarity", "ownership", "resilience", "empathy", "customer_bar")
CORE_LEVERS = LEVERS[:4]  # the four CORE levers (without the customer bar)
FRICTION_WEIGHTS = {"delay": 1.0, "explanation": 0.5, "inconsistent": 1.0, "escalation": 0.5, "bounce": 0.5,
                    "chase": 0.5}


def P(default: Any, lo: float | None, hi: float | None, unit: str, meaning: str, rationale: str):
    """A documented numeric parameter: default, closed range [lo, hi], unit, meaning, rationale."""
    kw: dict[str, Any] = {}
    if lo is not None:
        kw["ge"] = lo
    if hi is not None:
        kw["le"] = hi
    return Field(
        default,
        description=meaning,
        json_schema_extra={"unit": unit, "rationale": rationale},
        **kw,
    )


def _kind_problem(ann: Any, v: Any) -> tuple[tuple[Any, ...], Any, str] | None:
    """``(where inside v, the bad value, why)`` if ``v`` cannot stand for a value of type ``ann``;
    None if it can, or if pydantic's own validation is to decide.

    Strict kinds, lax within a kind: a flag is ``true``/``false`` only; a number is never text or a
    flag; an int is accepted for a float, and a whole float (``20.0``) for an int, since sweep
    designs compute values as floats. Lists, tuples and dict values are checked entry by entry.
    """
    while typing.get_origin(ann) is Annotated:
        ann = typing.get_args(ann)[0]
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin in (typing.Union, types.UnionType):
        if v is None and type(None) in args:
            return None
        problems = [_kind_problem(a, v) for a in args if a is not type(None)]
        return None if None in problems else problems[0]
    if ann is bool:
        return None if isinstance(v, bool | np.bool_) else ((), v, f"must be true or false, not {_kind_of(v)}")
    if ann in (int, float):
        if isinstance(v, bool | np.bool_ | str | bytes):
            noun = "an integer" if ann is int else "a number"
            hint = " (write it without quotes)" if isinstance(v, str) and _is_number(v) else ""
            return (), v, f"must be {noun}, not {_kind_of(v)}{hint}"
        return None
    entries: list[tuple[Any, Any, Any]] = []  # (key, type, value)
    if origin in (list, tuple) and isinstance(v, list | tuple) and args:
        fixed = origin is tuple and args[-1] is not Ellipsis
        entries = [(i, args[i] if fixed else args[0], x) for i, x in enumerate(v) if not fixed or i < len(args)]
    elif origin is dict and isinstance(v, dict) and len(args) == 2:
        entries = [(k, args[1], x) for k, x in v.items()]
    for key, item_ann, item in entries:
        found = _kind_problem(item_ann, item)
        if found:
            return (key, *found[0]), found[1], found[2]
    return None


def _kind_of(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return f"the flag {'true' if v else 'false'}"
    if isinstance(v, str):
        return f"the text {v!r}"
    if isinstance(v, int | float | np.number):
        return f"the number {v!r}"
    return f"a {type(v).__name__}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class Section(BaseModel):
    """Base of every parameter table: unknown keys, NaN and infinities are refused everywhere,
    and values must have the field's kind (see :func:`_kind_problem`; docs/ODD.md, "Parameters")."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False)

    @model_validator(mode="wrap")
    @classmethod
    def _strict_kinds(cls, data: Any, handler: Any) -> Any:
        # a model validator, not a field validator on "*": discriminator fields (events' ``type``)
        # may not carry a before-validator
        if isinstance(data, dict):
            # -0.0 passes ``ge=0`` but numpy refuses it as a scale ("scale < 0"): read it as 0.0
            data = {k: 0.0 if isinstance(v, float) and v == 0.0 else v for k, v in data.items()}
            errors = []
            for name, f in cls.model_fields.items():
                if name in data and (found := _kind_problem(f.annotation, data[name])):
                    inner, value, problem = found
                    errors.append(InitErrorDetails(
                        type=PydanticCustomError("value_error", "Value error, {error}", {"error": problem}),
                        loc=(name, *inner), input=value))
            if errors:
                raise ValidationError.from_exception_data(cls.__name__, errors)
        return handler(data)


class OrgParams(Section):
    """Shape of a generated organisation (ignored where ``chart`` names an org chart CSV)."""

    chart: str | None = Field(
        None,
        description="Path of an org chart CSV (relative to the scenario file); empty: generate.",
        json_schema_extra={"unit": "path", "rationale": "Strategists bring their HR export."},
    )
    teams: int = P(20, 1, 5000, "teams", "Number of teams (leaves of the hierarchy).",
                   "Workshop scale (MODEL.md: 5 to 50 teams).")
    divisions: int = P(3, 1, 50, "divisions", "Number of divisions (silos) under the executive.",
                       "A few silos, enough for cross-silo hand-offs to exist.")
    depth: int = P(2, 1, 8, "levels", "Manager levels between the executive and the teams.",
                   "Division head plus team lead; span of control follows from teams/divisions/depth.")
    front_share: float = P(0.5, 0.0, 1.0, "share", "Share of teams that face customers.",
                           "Even front/back split of a service organisation.")
    dependency_density: float = P(0.3, 0.0, 1.0, "probability",
                                  "Chance a front team depends on each further back team of its division.",
                                  "Each front team has one back-office partner plus a few more.")
    cross_division_share: float = P(0.2, 0.0, 1.0, "probability",
                                    "Chance a dependency crosses into another division (a silo).",
                                    "A minority of hand-offs cross silos.")
    customers_per_front_team: int = P(45, 0, 10000, "customers",
                                      "Customer accounts served by each front-office team.",
                                      "About 500 customers for the 20-team workshop default (11 front teams).")
    headcount: float = P(8.0, 1.0, 200.0, "people", "Median team headcount (generated orgs; log-normal spread below).",
                         "A two-pizza team.")
    headcount_spread: float = P(0.15, 0.0, 1.0, "log sd", "Log-normal spread of team headcounts.",
                                "Teams differ by a person or two; back offices are then staffed to their planned load.")
    customer_ties: float = P(4.0, 0.0, 50.0, "ties", "Mean word-of-mouth ties per customer.",
                             "Sparse contagion network in the manner of Bass diffusion.")


class LeverParams(Section):
    """The organisation's CORE levels (0 weak .. 1 strong) and the visible customer bar."""

    clarity: float = P(0.5, 0.0, 1.0, "level", "Explicit priorities and named trade-offs.",
                       "Mid-range: neither exemplary nor absent (seed 000, Clarity).")
    ownership: float = P(0.5, 0.0, 1.0, "level", "Clarity of decision rights at each level.",
                         "Mid-range (seed 000, Ownership).")
    resilience: float = P(0.5, 0.0, 1.0, "level", "Calibration of reactions to signals.",
                          "Mid-range (seed 000, Resilience); 0.5 gives Sterman's average subject "
                          "(theta .36, alpha .26, beta .34; signals.*_mid).")
    empathy: float = P(0.5, 0.0, 1.0, "level", "Attention to load and to friction named by people.",
                       "Mid-range (seed 000, Empathy).")
    customer_bar: float = P(0.5, 0.0, 1.0, "level", "Visible customer bar and room to bend a rule.",
                            "Mid-range (seed 001, Forrester: set a high, visible bar).")


class ManagerParams(Section):
    heterogeneity: float = P(0.15, 0.0, 0.5, "level sd",
                             "Sd of each manager's CORE values around the organisation's levels.",
                             "Managers differ visibly (seed 002: 70% of team engagement depends on the manager).")
    engagement_mean: float = P(0.6, 0.0, 1.0, "level", "Mean manager engagement at start.",
                               "Moderate engagement; Gallup's 27% 'engaged' is a share, not a level.")
    engagement_sd: float = P(0.15, 0.0, 0.5, "level sd", "Sd of manager engagement at start.",
                             "Wide enough for manager effects to matter (P8).")
    engagement_core_weight: float = P(0.4, 0.0, 2.0, "level per level",
                                      "How much a manager's empathy and ownership lift its engagement.",
                                      "Managers who create conditions are more engaged (seed 002).")
    engagement_rate: float = P(0.05, 0.0, 1.0, "1/day", "Speed of engagement adjustment.",
                               "Engagement moves over weeks, not days.")
    empathy_time: float = P(0.3, 0.0, 1.0, "share of decision capacity per level of empathy",
                            "Share of a manager's decision capacity that listening, one-to-ones and adjusting "
                            "load take, per unit of its empathy.",
                            "Empathy costs time (issue 10, section 3; seed 000 Empathy: adjusting communication, "
                            "timing and expectations): at empathy 1 a manager gives 30% of its time, about a day "
                            "and a half a week, to its people, so its approvals queue longer (Jin and Levitt "
                            "1996: latency grows convexly with a manager's load).")
    carried_strain: float = P(0.0, 0.0, 1.0, "share",
                              "Share of the strain a manager's empathy absorbs from its reports that the manager "
                              "carries as strain of its own (the mean over its direct reports of what it absorbs).",
                              "What an empathic manager absorbs it may carry (Frost and Robinson 1999, 'The toxic "
                              "handler: organizational hero and casualty', Harvard Business Review 77(4); Frost "
                              "2003, Toxic Emotions at Work). 1 is conservation, read as the mean over its reports "
                              "(the lower of the two conserving readings; the sum would load one manager with every "
                              "report's strain); a carrying manager tires like a team (people.strain_gain, recovery, "
                              "its own manager's empathy), takes fewer calls (work.fatigue_drag) and is less engaged "
                              "(people.fatigue_disengage). Off (0) by default, for parsimony: at 1 managers' fatigue "
                              "stays below 0.08 on average under the pattern tests' shock and no lever's best value "
                              "moves (docs/validation.md, 'Empathy's price in a second currency'); an option for "
                              "workshops on managers' burnout.")


class PressureParams(Section):
    baseline: float = P(0.2, 0.0, 2.0, "level", "External pressure without events.",
                        "Mild, stable conditions (seed 000: most models work when stable).")
    timeline: list[tuple[int, float]] = Field(
        default_factory=list,
        description="Piecewise-linear pressure points [[step, level], ...] overriding the baseline.",
        json_schema_extra={"unit": "[step, level]", "rationale": "A scenario's pressure story."},
    )
    noise: float = P(0.02, 0.0, 1.0, "level sd", "Signal noise on KPIs in stable conditions.",
                     "Small fluctuations that a calibrated leader ignores.")
    noise_gain: float = P(0.1, 0.0, 2.0, "sd per level", "Extra signal noise per unit of pressure.",
                          "Turbulence makes signals noisier (seed 000, Pressure).")
    demand_gain: float = P(0.6, 0.0, 5.0, "share per level", "Extra demand per unit of pressure.",
                           "Pressure of 1 raises requests by 60%.")
    expectation_gain: float = P(0.5, 0.0, 5.0, "share per level",
                                "How much pressure shortens the wait customers accept.",
                                "Customers who expect more (seed 000).")
    erosion_cut: float = P(0.3, 0.0, 1.0, "share",
                           "Time per task a team cuts below its standard at twice its normal backlog (linear from "
                           "the normal backlog, capped there); 0: teams never cut corners.",
                           "Oliva and Sterman (2001, Management Science 47(7)): under work pressure staff cut the time "
                           "per task before anything else. 0.3 is an assumption, not their estimate.")
    erosion_drift: float = P(0.011, 0.0, 1.0, "1/day",
                             "Daily share of the gap between a team's standard and the time it actually gives a task "
                             "that the standard closes (goal erosion); nothing restores it; 0: standards hold.",
                             "Oliva and Sterman (2001): the standard drifts toward what is delivered, so a temporary "
                             "pulse leaves a lasting erosion. About 90 days to adjust: an assumption.")
    erosion_defects: float = P(0.5, 0.0, 5.0, "probability per unit of time cut",
                               "Chance that a request done with its time per task cut by 1 (all of it) comes back "
                               "defective and is redone; proportional below.",
                               "Less time per task, more errors and rework (Oliva and Sterman 2001); a 30% cut gives "
                               "15% defects: an assumption.")
    need_drift: float = P(0.01, 0.0, 0.5, "share/day", "Daily drift of the market's true need.",
                          "Slow real change that leaders must track.")

    @model_validator(mode="after")
    def _timeline_sorted(self):
        steps = [s for s, _ in self.timeline]
        if any(b <= a for a, b in itertools.pairwise(steps)):
            raise ValueError("timeline steps must be strictly increasing")
        if any(s < 0 for s in steps) or any(not 0 <= v <= 5 for _, v in self.timeline):
            raise ValueError("timeline needs steps >= 0 and levels in [0, 5]")
        return self


class DemandParams(Section):
    request_rate: float = P(0.044, 0.0, 1.0, "1/day",
                            "Chance an active customer makes a request each day, in calm conditions (pressure 0).",
                            "About one request per customer every three weeks (0.049/day at the calm pressure 0.2): "
                            "the load the former one-open-request rule (0.06 per idle customer) produced, so the "
                            "calm utilisation of about 0.6 is kept.")
    max_open: int = P(8, 1, 64, "requests",
                      "Most requests one customer holds open at once; a customer at the limit does not ask (balks).",
                      "Demand is independent of service (a +X% event gives +X% requests) until a customer has "
                      "eight requests unanswered (under 1% of customer-days in the bundled shocks); balking "
                      "bounds the work of a collapsing organisation. Balked requests are counted (requests_balked).")
    chase_rate: float = P(0.15, 0.0, 1.0, "1/day",
                          "Daily chance that a customer chases a request it has waited on past its accepted wait "
                          "(failure demand); 0: customers never chase.",
                          "Assumption: about one chase a week while overdue. Failure demand, demand caused by a "
                          "failure to do something or do it right for the customer (Seddon 2003, Freedom from Command "
                          "and Control), is a large share of contacts in service centres.")
    chase_work: float = P(0.05, 0.0, 5.0, "person-days",
                          "Front-office capacity one chaser takes (a contact answered, the request looked up).",
                          "Assumption: about 25 minutes of a front agent's day, a thirtieth of a request's front work.")
    back_share: float = P(0.5, 0.0, 1.0, "probability", "Share of requests needing back-office work.",
                          "Half of requests cross the front/back line (seed 004).")
    decision_share: float = P(0.3, 0.0, 1.0, "probability",
                              "Share of requests needing a decision beyond routine, in calm conditions.",
                              "A minority need a call on an exception or a trade-off.")
    decision_gain: float = P(0.3, 0.0, 5.0, "share per level",
                             "Relative rise of the decision share per unit of pressure.",
                             "Under pressure priorities pile up and more requests need a call (seed 000, Pressure).")
    front_work: float = P(1.5, 0.01, 50.0, "person-days", "Front-office work per request.",
                          "Sets baseline front utilisation near 0.6.")
    back_work: float = P(3.0, 0.01, 50.0, "person-days", "Back-office work per request.",
                         "Fulfilment is heavier than intake.")
    max_rate: float = P(1.0, 0.01, 20.0, "person-days/day", "Most work one request can absorb per day.",
                        "One person on a request at a time: sets the minimum service time.")


class HandoffParams(Section):
    reexplain: float = P(0.3, 0.0, 1.0, "probability",
                         "Chance a hand-off inside a division makes the customer explain again.",
                         "Repeated explanations are the first sign of silos (seed 004).")
    reexplain_silo: float = P(0.8, 0.0, 1.0, "probability", "Same, when the hand-off crosses divisions.",
                              "Silos reach the customer (seed 004).")
    inconsistency_gain: float = P(1.5, 0.0, 10.0, "probability per unit distance",
                                  "Inconsistent-answer chance per unit of priority disagreement.",
                                  "Teams reading priorities apart give different answers (seed 000).")
    bounce_gain: float = P(1.0, 0.0, 10.0, "probability per unit distance",
                           "Bounce-back chance per unit of priority disagreement.",
                           "Disagreeing teams send work back (seed 000, Clarity).")
    bounce_max: float = P(0.5, 0.0, 1.0, "probability", "Ceiling on the bounce-back chance of one hand-off.",
                          "Even badly aligned teams pass most work on.")
    bounce_rework: float = P(0.5, 0.0, 5.0, "share of front work", "Front work redone after a bounce-back.",
                             "The front team re-qualifies the request.")
    silo_misread: float = P(0.1, 0.0, 1.0, "distance", "Extra disagreement across a division boundary.",
                            "Divisions add their own lens.")
    reconcile: float = P(1.0, 0.0, 1.0, "share of disagreement per unit of slack",
                         "Share of the two teams' disagreement (reading distance and silo misread) that they settle "
                         "between themselves before the customer hears an answer, per unit of the busier team's slack "
                         "(1 - backlog / normal backlog, clipped to [0, 1]); what is left drives inconsistent answers "
                         "and bounce-backs. 0: every disagreement reaches the customer, whatever the load.",
                         "Galbraith (1973, Designing Complex Organizations; 1974, Interfaces 4(3)): slack resources "
                         "are one way an organisation absorbs what it would otherwise have to coordinate; Thompson "
                         "(1967): hand-offs between interdependent units are coordinated by mutual adjustment, which "
                         "takes time. Seed 000: in stable conditions most leadership models work; speed exposes "
                         "confusion. 1 is the proportional form taken literally (a team with nothing waiting "
                         "settles every disagreement it meets, one at its normal backlog none), not a fitted value.")
    misfit_inconsistency: float = P(0.3, 0.0, 1.0, "probability per unit misfit",
                                    "Extra inconsistent-answer chance of a hand-off per unit of the two teams' mean "
                                    "misfit with the request's theme (misfit = max(0, 1 - reading / need)).",
                                    "Assumption (no published magnitude): a team that under-weights what the customer "
                                    "needs answers by its own criteria; at full misfit 3 answers in 10 contradict "
                                    "the need, about the rate two fully disagreeing teams reach (gain 1.5 x distance "
                                    "0.2). docs/ODD.md 7.3.")
    misfit_bounce: float = P(0.2, 0.0, 1.0, "probability per unit misfit",
                             "Extra bounce-back chance of a hand-off per unit of the receiving team's misfit with the "
                             "request's theme.",
                             "Assumption (no published magnitude): a back-office team that does not rank the theme "
                             "sends it back for re-qualification; kept below the inconsistency term because a bounce "
                             "needs a decision to refuse work. docs/ODD.md 7.3.")


class DecisionParams(Section):
    team_capacity: float = P(4.0, 0.1, 100.0, "decisions/day", "Decisions a team with full rights takes per day.",
                             "Front-line calls are quick when rights are clear.")
    manager_capacity: float = P(2.0, 0.1, 100.0, "decisions/day", "Decisions a manager resolves per day.",
                                "A manager's attention is scarce: queueing (Cohen, March, Olsen 1972).")
    manager_attention: float = P(0.4, 0.0, 1.0, "1/day", "Chance a manager looks at a given waiting approval on a day.",
                                 "Approvals wait in managers' in-trays for a few days per level.")
    escalate: float = P(0.5, 0.0, 1.0, "probability", "Chance an unclear decision is escalated rather than met on.",
                        "Without rights, teams either escalate or meet (seed 000, Ownership).")
    meeting_cost: float = P(0.5, 0.0, 10.0, "person-days", "Team capacity burned per consensus meeting.",
                            "Meetings produce follow-ups more than actions (seed 000).")
    meeting_resolve: float = P(0.3, 0.0, 1.0, "probability", "Chance a consensus meeting settles the decision.",
                               "Consensus is slow.")
    bounce: float = P(0.15, 0.0, 1.0, "probability", "Chance an escalated decision comes back unresolved per level.",
                      "Escalations and transfers reset progress (seed 000, CX mirror).")
    complexity: float = P(0.3, 0.0, 1.0, "share", "Share of decisions outside settled precedent in calm conditions.",
                          "When stable, precedent covers most calls (seed 000: most models work when stable).")
    complexity_gain: float = P(0.5, 0.0, 5.0, "share per level",
                               "Extra share of unprecedented decisions per unit of pressure.",
                               "Speed and complexity expose unclear decision rights (seed 000, Ownership).")
    exception_rate: float = P(0.5, 0.0, 1.0, "probability",
                              "Chance a manager's resolution is an exception for the customer, times its customer bar.",
                              "A manager authorises an immediate refund (seed 002).")
    exception_work: float = P(1.0, 0.0, 20.0, "person-days per exception",
                              "Front-office work to carry out one exception before the request moves on.",
                              "An exception is done by hand outside the process (seed 002: the immediate refund "
                              "against the 15-day process; Forrester, seed 001: exceptions need resources): "
                              "about a person-day, two thirds of a request's front work.")
    exception_inconsistency: float = P(0.3, 0.0, 1.0, "probability per exception",
                                       "Chance an exception gives the customer an inconsistent answer, because "
                                       "the other teams it meets answer by the rule.",
                                       "A local exception is not the organisation's answer (seed 004: front and "
                                       "back office must be coherent; seed 000: inconsistent answers); about one "
                                       "in three, so that an exception still pays on average (bonus 0.15 against "
                                       "0.3 x 0.2 inconsistency penalty).")
    error_max: float = P(0.8, 0.0, 1.0, "probability",
                         "Chance an unprecedented call taken by the front team, at clarity 0, is wrong; it falls "
                         "linearly with clarity and with the share of the levels up to the executive below the "
                         "unit that takes it (the executive does not err).",
                         "The Virtual Design Team's centralisation trade-off (Jin and Levitt 1996, Computational "
                         "and Mathematical Organization Theory 2(3); Levitt et al. 1999, Management Science "
                         "45(11)): calls pushed down are faster but taken with less context, and err more where "
                         "goals are unclear.  Magnitude a calibration choice: with no direction at all most "
                         "unprecedented front-line calls are wrong, not all (some are obvious); at the default "
                         "clarity 0.5, two in five.")
    error_misfit: float = P(0.5, 0.0, 1.0, "probability per unit misfit",
                            "Extra chance an unprecedented call is wrong, per unit of the settling unit's misfit with "
                            "the request's theme (misfit = max(0, 1 - reading / need)).",
                            "A call is taken by the settler's reading of the priorities; where that reading ignores "
                            "what the market needs of the theme, it errs (issue 10 s3: low clarity and high "
                            "ownership err where the market is misread). Magnitude an assumption: at full misfit "
                            "one call in two more goes wrong. docs/ODD.md 7.4.")
    error_referral: bool = Field(True, description=(
        "A wrong call is an exception referred to the settling unit's manager, who takes the call again "
        "after the front team's redo (false: the redo only)."),
        json_schema_extra={"unit": "flag", "rationale": (
            "The Virtual Design Team's exception handling (Jin and Levitt 1996): an actor who meets an "
            "exception refers it to its supervisor for a decision, so decentralised errors load the "
            "hierarchy above them. docs/ODD.md 7.4.")})
    error_rework: float = P(1.0, 0.0, 5.0, "share of front work",
                            "Front work redone after a wrong call (with an inconsistent answer to the customer).",
                            "The answer built on the wrong call is redone in full (a bounce-back, which only "
                            "re-qualifies the request, redoes half: handoffs.bounce_rework).")
    team_call_work: float = P(0.0, 0.0, 5.0, "person-days per call",
                              "Work capacity a front team spends deliberating an unprecedented call it settles "
                              "itself (dec_height 0; calls within precedent cost nothing); 0: a team's own calls "
                              "are free, as a manager's are not.",
                              "Off by default (0), for parsimony: at conservation no ownership value below 1.0 "
                              "beats 1.0 in any condition (docs/validation.md, 'Ownership's price in work'); an "
                              "option. Conservation of deliberation: the same call takes the same time whoever "
                              "takes it, so 0.5 equals a manager's call at the defaults, 1 / manager_capacity "
                              "(a plain person-days figure, the currency of meeting_cost, so that a scenario's "
                              "manager_capacity does not silently change team work). Decentralising moves the "
                              "information processing to the units (Galbraith 1974, Organization design: an "
                              "information processing view, Interfaces 4(3)); empowerment adds workload and "
                              "job-induced tension (Cheong, Spain, Yammarino and Yun 2016, Two faces of "
                              "empowering leadership: enabling and burdening, Leadership Quarterly 27(4)). "
                              "docs/ODD.md 7.4.")


class WorkParams(Section):
    productivity: float = P(1.0, 0.1, 5.0, "person-days/person/day", "Output of one seasoned person per day.",
                            "Unit of work.")
    initiative_share: float = P(0.2, 0.0, 0.9, "share", "Capacity spent on strategic initiatives.",
                                "Teams also carry internal projects that pivots rewrite.")
    overtime_max: float = P(0.3, 0.0, 1.0, "share", "Most extra hours under backlog pressure.",
                            "Staff work longer under pressure (Oliva & Sterman 2001).")
    overtime_gain: float = P(0.5, 0.0, 5.0, "share per unit overload", "Overtime per unit of backlog above capacity.",
                             "Oliva & Sterman 2001.")
    fatigue_drag: float = P(0.5, 0.0, 1.0, "share", "Productivity lost at full fatigue.",
                            "Fatigue lowers productivity (Oliva & Sterman 2001).")
    commitment_drag: float = P(0.3, 0.0, 1.0, "share", "Productivity lost at zero commitment.",
                               "Teams that expect rewrites stop committing (seed 000, Resilience).")
    overcheck: float = P(0.3, 0.0, 3.0, "share",
                         "Extra work per request for a team with no clear rights, at full complexity.",
                         "Teams unsure of their rights over-check (seed 000, Ownership).")
    work_horizon: float = P(3.0, 0.1, 60.0, "days", "Backlog, in days of nominal capacity, a team considers normal.",
                            "Beyond three days of backlog people start working longer.")
    initiative_cycle: float = P(20.0, 1.0, 365.0, "days", "Mean time for initiative work to be delivered.",
                                "Internal projects deliver over about a month: long enough for pivots to waste them.")
    priority_floor: float = P(0.1, 0.0, 1.0, "weight", "Floor of a theme's weight in a team's queue order.",
                              "No theme is starved entirely.")
    misfit_exponent: float = P(0.32, 0.0, 2.0, "exponent",
                               "Learning-curve exponent b of the misfit slowdown: a request on a theme the team "
                               "weights at r = reading / need < 1 of the market's need takes r^-b times the work.",
                               "Wright's (1936) 80% learning curve (work per unit falls 20% per doubling of "
                               "experience, b = -log2 0.8 = 0.32; Dutton and Thomas 1984 find most progress ratios "
                               "in 70-90%, b 0.15-0.51). Assumed: a team's experience of a theme follows the weight "
                               "its reading gives it, the demand on it the need. docs/ODD.md 7.5.")
    misfit_ratio_floor: float = P(0.1, 0.001, 1.0, "ratio",
                                  "Lowest reading / need ratio the slowdown counts (at b 0.32: at most 2.1 times the "
                                  "work).",
                                  "Assumption: a team that hardly ranks a theme still has some general competence; "
                                  "the power law is not extrapolated past a tenfold experience gap.")


class SignalParams(Section):
    """Signals, pivots and the relay of intent: Sterman's (1989) anchoring and adjustment.

    Each of theta, alpha and beta is read from a leader's own resilience r through three points:
    the value at r = 0, at r = 0.5 (Sterman's average subject) and at r = 1, linearly between."""

    theta_min: float = P(0.15, 0.0, 1.0, "weight", "Smoothing weight on new evidence at resilience 1.",
                         "Calibrated leaders smooth hard, below Sterman's average subject (0.36).")
    theta_mid: float = P(0.36, 0.0, 1.0, "weight", "Smoothing weight on new evidence at resilience 0.5.",
                         "Sterman 1989 (Management Science 35(3)), beer-game subjects' average estimate.")
    theta_max: float = P(0.7, 0.0, 1.0, "weight", "Smoothing weight on new evidence at resilience 0.",
                         "Leaders who take every fluctuation for a trend.")
    alpha_min: float = P(0.15, 0.0, 1.0, "share",
                         "Share of the perceived gap corrected per adjustment at resilience 1.",
                         "Below Sterman's average 0.26: patient correction.")
    alpha_mid: float = P(0.26, 0.0, 1.0, "share",
                         "Share of the perceived gap corrected per adjustment at resilience 0.5.",
                         "Sterman 1989, subjects' average estimate.")
    alpha_max: float = P(0.6, 0.0, 1.0, "share", "Share of the gap corrected per adjustment at resilience 0.",
                         "Overcorrection: more than twice Sterman's average subject.")
    beta_min: float = P(0.05, 0.0, 1.0, "weight",
                        "Weight on the supply line (change decided, not yet arrived) at resilience 0.",
                        "Ignoring the supply line makes oscillations that grow along a chain (Sterman 1989).")
    beta_mid: float = P(0.34, 0.0, 1.0, "weight", "Weight on the supply line at resilience 0.5.",
                        "Sterman 1989, subjects' average estimate: a third of the supply line counted.")
    beta_max: float = P(1.0, 0.0, 1.0, "weight", "Weight on the supply line at resilience 1.",
                        "Counting all that is under way, the rational weight (Sterman 1989): no overshoot.")
    min_pivot_min: float = P(0.003, 0.0, 1.0, "distance",
                             "Smallest adjustment a leader at resilience 0 makes (total-variation distance).",
                             "Every fluctuation is a reason to pivot (seed 000): below the adjustments calm noise "
                             "produces (about 0.01).")
    min_pivot_max: float = P(0.03, 0.0, 1.0, "distance",
                             "Smallest adjustment a leader at resilience 1 makes (total-variation distance).",
                             "Not every missed target is a reason to pivot (seed 000): above what calm noise produces.")
    review_every: int = P(7, 1, 365, "days", "Days between leadership reviews of the signals.",
                          "A weekly leadership meeting.")
    report_delay: float = P(14.0, 0.0, 120.0, "days", "Information delay of KPIs reaching leadership at empathy 0.",
                            "KPIs arrive late (MODEL.md step 6).")
    empathy_speedup: float = P(0.8, 0.0, 1.0, "share", "Share of the delay and noise removed at empathy 1.",
                               "People know where things break before the dashboard (seed 000, Empathy).")
    read_noise: float = P(0.25, 0.0, 2.0, "sd", "Noise of re-reading priorities at clarity 0, for a full-size change.",
                          "Each team reads the mission through its own lens (seed 000, Clarity).")
    lens_scale: float = P(0.3, 0.001, 1.0, "distance",
                          "Size of a relayed change (total variation) from which it is re-read fully through the lens.",
                          "A change is a partial adjustment: its lens pull and noise grow with its size, so a "
                          "negligible change costs next to nothing; a change of 0.3 or more is re-read from scratch, "
                          "as a reorganisation of priorities is.")
    clarify: float = P(1.0, 0.0, 1.0, "share of lens pull per unit of slack",
                       "Share of a relayed change's lens pull and reading noise that a team removes by asking what "
                       "the change means before acting on it, per unit of its slack (1 - backlog / normal backlog, "
                       "clipped to [0, 1]). 0: every team reads every change through its lens, whatever its load.",
                       "Daft and Lengel (1986, Management Science 32(5)): an equivocal message is understood through "
                       "discussion, which takes time; seed 000 (Clarity): 'la vitesse cree des risques lorsque la "
                       "vision n'est pas claire' and 'lorsque la situation est stable, la plupart des modeles de "
                       "leadership fonctionnent'. 1 is the proportional form taken literally (a team with nothing "
                       "waiting reads the change as meant, one at its normal backlog through its lens), not a fitted "
                       "value.")
    refresh: float = P(0.1, 0.0, 1.0, "1/day",
                       "Chance a team re-reads its parent's priorities on a given day (socialisation), whether or not "
                       "they changed that day.",
                       "Priorities are re-read now and then, not only after pivots; socialisation goes on while the "
                       "code changes (March 1991). docs/ODD.md 7.6.3.")
    socialisation: float = P(0.3, 0.0, 1.0, "share",
                             "Gap to the parent's reading closed by a re-read at clarity 1 (socialisation_floor of it "
                             "at clarity 0). 0: teams never learn the code (knock-out of the resilience U).",
                             "Direction is learnt over time (March 1991's p1); clarity speeds it.")
    socialisation_floor: float = P(0.5, 0.0, 1.0, "share of socialisation",
                                   "Share of the socialisation rate left at clarity 0 (the rate is socialisation x "
                                   "(floor + (1 - floor) x clarity): March's p1, set by clarity).",
                                   "0.5 keeps the model's earlier form; March (1991) varies p1 from 0.1 to 0.9, which "
                                   "a floor of about 0.1 reproduces. docs/ODD.md 7.10.")
    local_learning: float = P(0.0, 0.0, 1.0, "share/day",
                              "Share of the gap to the theme mix of the requests in its own queue that a team closes "
                              "each day (learning the need from its own customers, local and noisy). 0: off.",
                              "Not in March (1991), whose members learn only from the code (their own knowledge is "
                              "their initial beliefs): alignsim's stand-in, an assumption. Measured: clarity costs "
                              "what the code learns only below the socialisation rate at clarity 1 (0.03/day; "
                              "0.005 shows it, 0.05 does not), and not friction. Off by default. docs/ODD.md 7.10.")
    code_learning: float = P(0.0, 0.0, 1.0, "share per review",
                             "March's p2: share of the gap to the mean reading of the teams that fit the need "
                             "better than the intent that the executive's intent closes at each review. 0: off.",
                             "March (1991): the code learns from the members who perform better than it; a "
                             "team's fit is observable as what its initiatives deliver; March varies p2 over "
                             "0.1-0.9. Off by default: at 0.5-0.9 it gives clarity a price on what the code learns, "
                             "none on friction (docs/validation.md). docs/ODD.md 7.10.")
    rework_gain: float = P(1.5, 0.0, 10.0, "probability per unit change",
                           "Chance per unit of priority change that a request in progress is reworked.",
                           "Work in progress that no longer fits is reworked (MODEL.md step 6).")
    commitment_drop: float = P(1.0, 0.0, 10.0, "share per unit change", "Commitment lost per unit of priority change.",
                               "Frequent pivots lower commitment (seed 000, Resilience).")
    commitment_recovery: float = P(0.02, 0.0, 1.0, "1/day", "Daily recovery of commitment toward 1.",
                                   "Trust returns slowly.")


class PeopleParams(Section):
    strain_gain: float = P(0.08, 0.0, 1.0, "1/day", "Fatigue added per day per unit of strain.",
                           "Overload tires within weeks (Homer 1985).")
    recovery: float = P(0.05, 0.0, 1.0, "1/day", "Fatigue recovered per day with slack, at empathy 0.",
                        "Recovery is slower than build-up.")
    empathy_buffer: float = P(0.6, 0.0, 1.0, "share", "Share of strain an empathic manager (empathy 1) absorbs.",
                              "Adjusting timing and expectations (seed 000, Empathy).")
    empathy_recovery: float = P(2.0, 0.0, 5.0, "share", "Extra recovery speed at empathy 1.",
                                "Empathy speeds recovery (MODEL.md step 7).")
    engagement_follow: float = P(0.85, 0.0, 1.0, "share", "Weight of the manager in a team's engagement target.",
                                 "Team engagement depends mostly on the manager (seed 002: Gallup's 70%).")
    team_engagement_sd: float = P(0.05, 0.0, 0.5, "level sd", "Sd of a team's own engagement baseline.",
                                  "Small team idiosyncrasy.")
    fatigue_disengage: float = P(0.1, 0.0, 1.0, "level", "Engagement lost at full fatigue.",
                                 "Engagement falls with fatigue (MODEL.md step 7).")
    attrition_base: float = P(0.0003, 0.0, 0.05, "1/day", "Daily attrition chance per person, rested and engaged.",
                              "About 10% a year.")
    attrition_fatigue: float = P(4.0, 0.0, 50.0, "multiplier", "Attrition multiplier at full fatigue.",
                                 "Unempathetic workplaces see high turnover (seed 000, Empathy).")
    attrition_disengaged: float = P(2.0, 0.0, 50.0, "multiplier", "Attrition multiplier at zero engagement.",
                                    "Disengaged people leave.")
    hiring_delay: int = P(45, 0, 365, "days", "Days from a departure to the replacement's arrival.",
                          "A typical recruiting cycle.")
    ramp_days: float = P(60.0, 1.0, 365.0, "days", "Mean time for a hire to reach full productivity.",
                         "Two months of ramp-up.")
    novice_productivity: float = P(0.4, 0.0, 1.0, "share", "Productivity of a hire still ramping up.",
                                   "New hires contribute partly.")
    coaching: float = P(0.0, 0.0, 1.0, "share", "Share of ramp time removed by coaching.",
                        "Coaching speeds ramp-up (seed 002).")
    first_time_gain: float = P(0.2, 0.0, 1.0, "probability per unit disengagement",
                               "Chance a finished stage is not right the first time, per unit of the team's "
                               "disengagement (1 - engagement); 0 switches engagement's effect on service off.",
                               "Assumption, ordered by Harter et al.'s Q12 meta-analyses (top vs bottom quartile "
                               "units: about 40% fewer quality defects): at engagement 0.6 one stage in 12 is "
                               "redone; quartile teams (0.75 vs 0.45) differ by a ratio of 0.45.")
    redo_share: float = P(0.5, 0.0, 1.0, "share of the stage's work",
                          "Work of a stage redone when it was not right the first time.",
                          "Assumption: the answer is corrected, not started again from scratch.")
    hiring_freeze: bool = Field(False, description="No replacements are hired.",
                                json_schema_extra={"unit": "flag", "rationale": "Budget cut lever."})


class ApprovalParams(Section):
    """Sign-offs on hand-offs into a unit (sim/model/approvals.py, docs/ODD.md 7.4.1); the org
    chart's ``approval`` column adds more."""

    into: list[str] = Field(
        default_factory=list,
        description="Divisions whose back teams need a sign-off for every hand-off they receive.",
        json_schema_extra={"unit": "division names",
                           "rationale": "Where a COO expects sign-offs (a bank's Risk & Compliance; issue 11)."})
    levels: int = P(1, 1, 8, "levels",
                    "Levels above the receiving team whose sign-off a hand-off into an approvals.into division "
                    "needs (1: its manager; at most the executive).",
                    "The receiving team's manager signs off, the usual four-eyes rule.")
    waiver: float = P(0.5, 0.0, 1.0, "share",
                      "Share of required sign-offs that clear decision rights make unnecessary, at chain "
                      "ownership 1.",
                      "Teams that know what they may take without asking ask less (seed 000, Ownership); "
                      "assumption on the size.")


class CanaryParams(Section):
    """The customer canary (sim/model/canary.py, docs/ODD.md 7.11): leadership perceives customer
    friction late and distorted, and acts on it, well (a targeted fix) or badly (a pivot)."""

    enabled: bool = Field(True, description="Leadership perceives customer friction and acts on it.",
                          json_schema_extra={"unit": "flag",
                                             "rationale": "Seed 000: watch CX as your canary; seed 003: leaders "
                                                          "collect customer feedback and act on it."})
    delay: float = P(10.0, 0.0, 120.0, "days",
                     "Information delay of customer friction reaching leadership through one manager layer, "
                     "at clean 0.",
                     "Assumption: customer complaints and surveys reach a leadership meeting within weeks "
                     "(seed 000 ¶10: by the time it is obvious it already hurts).")
    layer_delay: float = P(0.5, 0.0, 5.0, "share per layer", "Extra delay per manager layer beyond the first.",
                           "Assumption: each layer relays on its own cadence; deeper hierarchies hear later (P10).")
    filter: float = P(0.15, 0.0, 1.0, "share per layer", "Share of the friction softened away at each manager layer.",
                      "Bad news is softened on its way up (the mum effect, Rosen and Tesser 1970; employee silence, "
                      "Milliken, Morrison and Hewlin 2003); the size is an assumption.")
    clean_filter: float = P(0.8, 0.0, 1.0, "share",
                            "Share of the softening removed at clean 1 (clean: mean of the executive's empathy and "
                            "customer bar).",
                            "People name friction where it is safe to (seed 000 ¶38); leaders close to customers "
                            "hear it unfiltered (seeds 001, 003).")
    clean_speedup: float = P(0.6, 0.0, 1.0, "share", "Share of the delay removed at clean 1.",
                             "Customer rituals bring friction to light earlier (seed 002); assumption on the size.")
    noise: float = P(0.3, 0.0, 2.0, "relative sd", "Relative noise of the daily friction report at clean 0.",
                     "Anecdotes stand in for measurement where nobody listens; assumption.")
    norm_days: int = P(60, 1, 365, "days",
                       "Time over which leadership learns the friction it is used to (its norm); no action "
                       "before a norm is learnt.",
                       "Assumption: a quarter's experience sets what counts as normal.")
    alarm: float = P(0.25, 0.0, 10.0, "share", "Rise of perceived friction above the norm that prompts action.",
                     "Assumption: a quarter more friction than usual is noticed in a review.")
    control_limit: float = P(3.0, 0.0, 10.0, "usual deviations",
                             "Rise of perceived friction above the norm, in its usual deviations (learnt over "
                             "norm_days from reviews in control), that counts as a signal; the alarm is the larger "
                             "of this and `alarm`. 0: the share `alarm` alone.",
                             "Shewhart's control chart (Shewhart 1931): limits at three standard deviations of "
                             "common-cause variation separate a special cause from noise; acting on noise is "
                             "tampering, which adds variation (Deming 1986, the funnel). In calm default runs the "
                             "perceived friction's usual deviation is 0.08-0.15 of its norm, so `alarm` 0.25 alone "
                             "is about 2 deviations (docs/ODD.md 7.11).")
    review_every: int = P(7, 1, 365, "days", "Days between leadership's looks at customer friction.",
                          "The weekly leadership meeting (as signals.review_every).")
    fix_propensity: float = P(1.0, 0.0, 1.0, "probability",
                              "Chance of a targeted fix on an alarm, times the executive's clarity and empathy; "
                              "0: never fixes.",
                              "A leadership that knows what matters and listens fixes where friction arises "
                              "(seed 000: repair the inside to fix the outside).")
    pivot_propensity: float = P(0.5, 0.0, 1.0, "probability",
                                "Chance of a pivot on an alarm (when no fix is made), times (1 - resilience); "
                                "0: never pivots on friction.",
                                "Leaders without resilience react to every signal as if it were strategic (seed 000).")
    pivot_persistence: int = P(2, 1, 52, "reviews",
                               "Consecutive reviews in alarm before leadership may pivot on friction (a targeted "
                               "fix needs one); 1: a pivot may follow a single week's excursion.",
                               "A change of direction answers a signal, not common-cause noise (Shewhart's run rules; "
                               "Deming 1986, tampering): in calm default runs one-review excursions above the alarm "
                               "set off pivot cascades in 2 of 10 seeds (docs/ODD.md 7.11).")
    pivot_strength: float = P(0.3, 0.0, 1.0, "share",
                              "How far a friction-driven pivot moves the intent toward a theme.",
                              "A moderate change of direction (as a pivot event's default strength is 0.5).")
    fix_days: int = P(30, 1, 365, "days", "How long a targeted fix lasts.", "A month of attention and resources.")
    fix_capacity: float = P(0.2, 0.0, 1.0, "share", "Extra capacity of the teams a capacity fix reaches.",
                            "Small flexible allocations of resources (seed 001, Forrester).")
    fix_approval_cut: int = P(1, 0, 5, "levels",
                              "Approval levels a decision-rights fix removes for the teams it reaches.",
                              "One level of delegation, like remove-approval-steps' default.")


class CustomerParams(Section):
    expected_wait: float = P(10.0, 0.5, 365.0, "days", "Wait a customer accepts in calm conditions (mean).",
                             "Sets calm-condition satisfaction near its ceiling.")
    expectation_sd: float = P(0.25, 0.0, 2.0, "log sd", "Log-normal spread of customers' accepted wait.",
                              "Customers differ.")
    learning: float = P(0.3, 0.0, 1.0, "weight", "Weight of the latest experience in satisfaction.",
                        "Expectation-disconfirmation (Oliver 1980).")
    wait_weight: float = P(0.5, 0.0, 5.0, "per expected wait", "Satisfaction lost per expected wait of lateness.",
                           "Delays nobody can explain (seed 000, CX mirror).")
    explain_weight: float = P(0.1, 0.0, 1.0, "per explanation", "Satisfaction lost per repeated explanation.",
                              "Repeated explanations (seed 000, 004).")
    inconsistent_weight: float = P(0.2, 0.0, 1.0, "per answer", "Satisfaction lost per inconsistent answer.",
                                   "Inconsistent answers (seed 000).")
    escalation_weight: float = P(0.1, 0.0, 1.0, "per escalation", "Satisfaction lost per escalation or bounce.",
                                 "Transfers that reset progress (seed 000).")
    exception_bonus: float = P(0.15, 0.0, 1.0, "level", "Satisfaction gained from an exception granted.",
                               "The immediate refund (seed 002).")
    erosion: float = P(0.01, 0.0, 0.5, "1/day", "Satisfaction lost per day a request is overdue.",
                       "Waiting erodes satisfaction (MODEL.md step 8).")
    renege: float = P(0.05, 0.0, 1.0, "1/day",
                      "Daily chance that a customer gives up a request it has waited on past its accepted wait "
                      "(the request is abandoned and scored 0); 0: customers wait for ever.",
                      "Impatient customers abandon queues (Erlang-A: Palm 1943; Garnett, Mandelbaum and Reiman 2002): "
                      "about 20 more days on average once overdue, so the queue of an overloaded team stays bounded.")
    calm_churn: float = P(0.10, 0.0, 0.9, "share/year",
                          "Share of satisfied customers who leave in a year for reasons service does not touch "
                          "(moves, prices, changed needs); 0: none.",
                          "Published industry figures (secondary sources, docs/sectors.md): retail banking 0.03-0.15, "
                          "telecom 0.10-0.30, personal-lines insurance 0.10-0.25; the seeds are silent; not fitted.")
    churn_reference: float = P(0.7, 0.01, 1.0, "level",
                               "Satisfaction below which dissatisfaction adds to the leaving hazard.",
                               "Below the calm level (about 0.93): ordinary disappointments do not make customers "
                               "leave; a run of late or contradictory answers does.")
    churn_gain: float = P(6.0, 0.0, 100.0, "multiple of the calm hazard",
                          "Extra leaving hazard at satisfaction 0, rising linearly from churn_reference down; "
                          "0: churn does not respond to friction.",
                          "Assumption: a customer at satisfaction 0 leaves at 7 times the calm hazard (52% a year), "
                          "one halfway below the reference at 4 times (about 3% a month): switching takes time and "
                          "effort; smooth, so no cliff turns a small push into a wave of departures (ODD 7.8).")
    arrival_rate: float = P(0.10, 0.0, 2.0, "share of the day-0 base/year",
                            "New customers a team gains in a year, as a share of its day-0 base, while its customers "
                            "are as satisfied as on day 0; they take the places of customers who left (the base "
                            "never exceeds its day-0 size); 0: no new customers.",
                            "Equal to the default calm churn, so a calm base holds its size and a shrunk one grows "
                            "back; set it with calm_churn (docs/sectors.md).")
    referral_gain: float = P(5.0, 0.0, 50.0, "share per level",
                             "Relative change of arrivals per unit of mean satisfaction above or below its day-0 "
                             "level (word of mouth); 0: arrivals ignore satisfaction.",
                             "Assumption, in the manner of Bass (1969) imitation: a team whose customers are 0.1 "
                             "less satisfied than at the start wins half as many new ones; 0.2 less, none.")
    word_of_mouth: float = P(0.1, 0.0, 1.0, "level", "Satisfaction a customer loses when a tie leaves.",
                             "Contagion along ties (Bass diffusion), scaled by the leaver's dissatisfaction; one "
                             "leaver causes well under one further departure, so cascades die out (ODD 7.8).")
    initial_satisfaction: float = P(0.75, 0.0, 1.0, "level",
                                    "Satisfaction of a customer before its first experience (warm-up start value).",
                                    "A healthy base; with the warm start a customer's first experience replaces it.")
    warm_start: int = P(30, 0, 1000, "days",
                        "Days of demand, work, people and customers burnt in before day 1, not recorded; customer "
                        "satisfaction is then computed from the burn-in's experiences (0: start empty).",
                        "Queues turn over in days, so 30 days fill them (the second half supplies the experiences); "
                        "satisfaction, a memory of about a year, is computed rather than burnt in, which keeps the "
                        "cost near 30 steps. Calm-year drift: -0.001 (sd 0.006, 10 seeds) against +0.126 when "
                        "runs start empty (ODD 5).")
    tired_fatigue: float = P(0.5, 0.0, 1.0, "level",
                             "Team fatigue above which lateness is booked to overload and fatigue.",
                             "Half-exhausted teams are the bottleneck.")
    friction_weights: dict[str, float] = Field(
        default_factory=lambda: dict(FRICTION_WEIGHTS),
        description="Weights of the friction index parts (delay counted per expected wait overdue).",
        json_schema_extra={"unit": "friction units", "rationale": "Delay and contradiction weigh most (seed 000)."},
    )

    @field_validator("friction_weights", mode="before")
    @classmethod
    def _fill_weights(cls, v):
        """A partial table overrides only the weights it names."""
        if isinstance(v, dict):
            return {**FRICTION_WEIGHTS, **v}
        return v

    @model_validator(mode="after")
    def _weights(self):
        allowed = set(FRICTION_WEIGHTS)
        bad = set(self.friction_weights) - allowed
        if bad:
            raise ValueError(f"unknown friction weight {sorted(bad)[0]!r}; allowed: {sorted(allowed)}")
        if any(v < 0 for v in self.friction_weights.values()):
            raise ValueError("friction weights must be >= 0")
        return self


class Scope(Section):
    """Where an event applies: the whole organisation (empty), a division, or a manager's subtree."""

    division: str | None = None
    manager: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if self.division is not None and self.manager is not None:
            raise ValueError("a scope names a division or a manager, not both")
        return self


Theme = Literal["speed", "cost", "quality", "compliance"]  # THEMES, as a type
LeverName = Literal["clarity", "ownership", "resilience", "empathy", "customer_bar"]  # LEVERS, as a type


class ShockEvent(Section):
    type: Literal["shock"]
    step: int = Field(ge=1, description="Day the shock starts (day k is row k of the series).")
    duration: int = Field(30, ge=1)
    pressure: float = Field(1.0, ge=0.0, le=5.0, description="Pressure added while the shock lasts.")
    noise: float = Field(0.0, ge=0.0, le=2.0, description="Signal noise added while it lasts.")
    need_shift: float = Field(0.3, ge=0.0, le=1.0,
                              description="How far the market's need jumps toward a theme.")
    theme: Theme | None = Field(
        None, description="Theme the need jumps toward (empty: drawn at random when the shock starts).")
    label: str = ""


class LeverEvent(Section):
    type: Literal["lever"]
    step: int = Field(ge=1, description="Day the change starts (day k is row k of the series).")
    lever: LeverName
    value: float = Field(ge=0.0, le=1.0)
    ramp: int = Field(0, ge=0, description="Days to move linearly from the old to the new value.")
    scope: Scope = Field(default_factory=Scope)
    label: str = ""


# Named interventions (MODEL.md, "What-if levers"): name -> (what it changes, default value, lo, hi,
# meaning of value).  sim/model/interventions.py applies them; docs/ODD.md documents each.
INTERVENTIONS: dict[str, tuple[str, float, float, float, str]] = {
    "decision-rights-charter": ("lever:ownership", 0.85, 0.0, 1.0, "ownership level in scope"),
    "priorities-memo": ("lever:clarity", 0.85, 0.0, 1.0, "clarity level in scope"),
    "customer-rituals": ("lever:empathy,customer_bar", 0.8, 0.0, 1.0, "empathy and customer-bar level in scope"),
    "remove-approval-steps": ("approval_cut", 1.0, 1.0, 5.0, "approval levels removed from calls in scope"),
    "flexible-budget": ("capacity_boost", 0.15, 0.0, 1.0, "extra capacity (share) of teams in scope"),
    "onboarding": ("coaching", 0.5, 0.0, 0.9, "share of ramp-up time removed for hires in scope"),
    "coaching": ("coaching", 0.5, 0.0, 0.9, "deprecated name of onboarding: share of ramp-up time removed for hires"),
    "manager-coaching": ("manager_coaching", 0.15, 0.0, 0.5,
                         "engagement added to the target of the team leads of teams in scope"),
    "merge-silos": ("bridge", 1.0, 1.0, 1.0, "hand-offs touching scope teams no longer cross a silo"),
    "hiring-freeze": ("freeze", 1.0, 1.0, 1.0, "no replacements for leavers of scope teams"),
    "demand-surge": ("demand_boost", 0.4, 0.0, 5.0, "extra requests (share) from customers of scope teams"),
    "competitor-disruption": ("disruption", 0.5, 0.0, 5.0,
                              "shortening of the wait customers of scope teams accept (share)"),
}


# old intervention names still accepted, with a one-line note (model.input_notes): old -> (new, note)
DEPRECATED_INTERVENTIONS = {
    "coaching": ("onboarding", "it speeds new hires' ramp-up; to coach managers use 'manager-coaching'"),
}


class InterventionEvent(Section):
    """A named intervention: scoped, from a step, optionally for a duration, ramping in."""

    type: Literal[tuple(INTERVENTIONS)]  # type: ignore[valid-type]
    step: int = Field(ge=1, description="Day it starts (day k is row k of the series).")
    duration: int | None = Field(None, ge=1, description="Days it lasts (empty: to the end of the run).")
    ramp: int = Field(0, ge=0, description="Days to ramp in linearly.")
    value: float | None = Field(None, description="Strength; meaning and range depend on the type (empty: default).")
    noise: float = Field(0.1, ge=0.0, le=2.0, description="competitor-disruption: signal noise added.")
    need_shift: float = Field(0.3, ge=0.0, le=1.0, description="competitor-disruption: jump of the market's need.")
    scope: Scope = Field(default_factory=Scope)
    label: str = ""

    @model_validator(mode="after")
    def _value_in_range(self):
        _, default, lo, hi, meaning = INTERVENTIONS[self.type]
        if self.value is None:
            self.value = default
        elif not lo <= self.value <= hi:
            raise ValueError(f"value {self.value} for {self.type} ({meaning}) must be in [{lo:g}, {hi:g}]")
        return self

    @property
    def end(self) -> int | None:
        return None if self.duration is None else self.step + self.duration


class PivotEvent(Section):
    """A leadership pivot: the intent moves toward one theme; it cascades down from that day."""

    type: Literal["pivot"]
    step: int = Field(ge=1, description="Day the pivot happens (day k is row k of the series).")
    strength: float = Field(0.5, ge=0.0, le=1.0, description="How far the intent moves toward the theme.")
    theme: Theme | None = Field(
        None, description="Theme the intent moves toward (empty: drawn when the run receives the event).")
    label: str = ""


class LeaderEvent(Section):
    """A new leader takes over one manager or executive unit."""

    type: Literal["leader"]
    step: int = Field(ge=1, description="Day the new leader starts (day k is row k of the series).")
    manager: str = Field(description="The manager or executive unit (by name or id, like a scope's manager).")
    levers: dict[LeverName, Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        None, description="The new leader's lever values (empty: drawn around the unit's levels when received).")
    engagement: float | None = Field(
        None, ge=0.0, le=1.0, description="The new leader's engagement (empty: drawn when received).")
    label: str = ""


class ConditionsEvent(Section):
    """Calm conditions change from a day on: the pressure level (the timeline is dropped) and/or
    the signal noise (the workshop's pressure and noise sliders)."""

    type: Literal["conditions"]
    step: int = Field(ge=1, description="Day the new conditions start (day k is row k of the series).")
    pressure: float | None = Field(None, ge=0.0, le=2.0,
                                   description="Pressure from this day on, replacing the timeline (empty: unchanged).")
    noise: float | None = Field(None, ge=0.0, le=1.0,
                                description="Signal noise of calm conditions from this day on (empty: unchanged).")
    label: str = ""


Event = Annotated[ShockEvent | LeverEvent | InterventionEvent | PivotEvent | LeaderEvent | ConditionsEvent,
                  Field(discriminator="type")]
EVENT_ADAPTER: TypeAdapter = TypeAdapter(Event)


class ModelParams(Section):
    """Everything one run needs besides its seed."""

    name: str = "unnamed"
    description: str = ""
    steps: int = P(365, 1, 100000, "days", "Days simulated.", "One year.")
    seed: int = P(1, 0, 2**63 - 1, "integer", "Root seed of the run.", "Any fixed value.")
    org: OrgParams = Field(default_factory=OrgParams)
    levers: LeverParams = Field(default_factory=LeverParams)
    managers: ManagerParams = Field(default_factory=ManagerParams)
    pressure: PressureParams = Field(default_factory=PressureParams)
    demand: DemandParams = Field(default_factory=DemandParams)
    handoffs: HandoffParams = Field(default_factory=HandoffParams)
    decisions: DecisionParams = Field(default_factory=DecisionParams)
    work: WorkParams = Field(default_factory=WorkParams)
    signals: SignalParams = Field(default_factory=SignalParams)
    people: PeopleParams = Field(default_factory=PeopleParams)
    customers: CustomerParams = Field(default_factory=CustomerParams)
    canary: CanaryParams = Field(default_factory=CanaryParams)
    approvals: ApprovalParams = Field(default_factory=ApprovalParams)
    events: list[Event] = Field(default_factory=list)
