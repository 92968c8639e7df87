"""March's (1991) mutual learning between an organisational code and its members.

A pure sub-model, written here from the published description (March, "Exploration and
Exploitation in Organizational Learning", Organization Science 2(1), 1991, pp. 74-75) and from
the two replications that fill what the text leaves out (Rodan 2005, Scandinavian Journal of
Management 21(4); Christensen 2015, a note on the original program).  Its continuous analogue is
wired into :class:`sim.model.model.AlignmentModel`, opt-in (``sim/model/signals.py``; clarity sets
``p1``; measured in docs/ODD.md 7.10).

The model
---------
- Reality: ``m`` independent dimensions, each +1 or -1 with probability 1/2.  It is stable here
  (March's first experiment; turnover and turbulence are his later ones and are not built).
- Beliefs: the organisational code and each of ``n`` members hold a belief in {-1, 0, +1} on every
  dimension.  Members start with -1, 0, +1 drawn with probability 1/3 each ("on average, no
  knowledge"); the code starts neutral (all 0).
- One period, every part reading the state at the start of the period (March: "at the same time"):

  1. Members act.  A member acts on its belief where it holds one and tosses a fair coin where
     it holds 0.  Its *performance* is the number of dimensions its actions get right minus the
     number they get wrong (Christensen 2015).
  2. Socialisation.  Where the code is non-zero and a member's belief differs from it, the
     belief moves towards the code with probability ``p1``, independently per member and
     dimension.  Where the code is 0 beliefs are untouched.
  3. Code learning.  The *superior group* are the members whose performance exceeds the code's
     score (the code's agreements minus disagreements with reality).  On each dimension the
     members of that group vote with their actions; if the majority differs from the code, the
     code adopts it with probability ``1 - (1 - p2) ** k``, ``k`` the majority's excess of votes
     (March's footnote 1).  A tie changes nothing.

- Knowledge of a belief vector: its agreements minus disagreements with reality, as a fraction of
  ``m`` (:func:`knowledge`; 0 for a neutral code, 1 for a perfect one).  This is the measure of
  March's Figure 1 and of the reference replication.  At equilibrium the code holds no 0 (see
  below), so knowledge = 2 x (share of dimensions the code gets right) - 1: 0.80 means 27 of 30.

Which variant, and why
----------------------
Read literally, the text describes socialisation as a jump (a member adopts the code's belief)
and the superior group as the members whose *beliefs* agree with reality on more dimensions than
the code's; the code then follows the dominant *belief* in that group.  Implemented that way the
model shows March's qualitative result but not his numbers.  Rodan (2005) and Christensen (2015),
who worked from March's own program, report the two differences that matter:

- socialisation is gradual (``socialisation="gradual"``): a belief opposite to the code first
  becomes 0, a 0 becomes the code's belief.  A member so unsettled acts at random on that
  dimension again, which keeps exploration alive longer;
- superiority is judged by performance, not knowledge (``superiority="performance"``): members are
  compared with the code by what their actions achieve, so a lucky guesser can be superior, and the
  code learns from the group's actions.

These two are the defaults because they reproduce the reference (a 10,000-run replication of the
original program: ``tests/test_docking_march.py``, ``docs/validation.md``).  The literal reading is
kept as ``socialisation="jump"`` and ``superiority="knowledge"`` (beliefs vote there, a 0 abstains)
so that the difference can be measured, not argued.

Equilibrium (the stopping rule)
-------------------------------
A state is *settled* when no belief can change any more, whatever the random draws:

- no member can be socialised: on every dimension where the code is non-zero, every member with
  ``p1 > 0`` already holds the code's belief; and
- the code cannot learn (``p2 == 0``, or):

  - by performance: no member can outperform the code even with the luckiest coin tosses, i.e.
    for every member, its belief score plus its number of 0 beliefs does not exceed the code's
    score.  If some member could, the code changes with positive probability (the superior
    members' votes on the code's 0 dimensions then lean towards reality), so the rule is exact;
  - by knowledge: the present superior group (fixed, since no belief moves) has no majority that
    differs from the code on any dimension.

With members and code fixed and the code unable to move, the state is absorbing: this is March's
equilibrium "at which all individuals and the code share the same belief".  At such a state the
code is non-zero on every dimension (a 0 left in the code would let a member who agrees with it
elsewhere outperform it by luck), except in states of negligible probability (all n members
starting with the wrong belief on a dimension).  A run that has not settled after
``max_periods`` stops and is reported as not settled, never silently counted.

Arrays
------
Beliefs are ``int8`` arrays.  Every function takes arbitrary leading (batch) dimensions:
``reality`` and ``code`` are ``(..., m)``, ``beliefs`` and actions ``(..., n, m)``, so a whole set
of independent runs (or one organisation, with no batch dimension) advances in one call.  All
randomness comes from the ``numpy.random.Generator`` passed in; the same generator state gives the
same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .params import P

Socialisation = Literal["gradual", "jump"]
Superiority = Literal["performance", "knowledge"]


def choice(default: str, meaning: str, rationale: str):
    """A documented choice among named variants (the Literal type lists them)."""
    return Field(default, description=meaning, json_schema_extra={"unit": "choice", "rationale": rationale})


class MarchParams(BaseModel):
    """March's (1991) setting; the defaults are his (m = 30, n = 50) with mid-range rates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    m: int = P(30, 1, 10_000, "dimensions", "Dimensions of reality (and of every belief vector).",
               "March (1991): m = 30.")
    n: int = P(50, 1, 100_000, "members", "Members of the organisation.",
               "March (1991): n = 50; the effective code-learning rate depends on n through k (his footnote 1).")
    p1: float = P(0.5, 0.0, 1.0, "probability per period",
                  "Socialisation rate: chance that a member's differing belief moves towards the code.",
                  "March varies it over 0.1 .. 0.9; in alignsim clarity sets it (docs/ODD.md 7.10).")
    p2: float = P(0.5, 0.0, 1.0, "probability per period",
                  "Code learning rate: a majority of excess k in the superior group is adopted with "
                  "probability 1 - (1 - p2)^k.",
                  "March varies it over 0.1 .. 0.9 (Figure 1: p2 = 0.1, 0.5, 0.9).")
    max_periods: int = P(20_000, 1, 10_000_000, "periods",
                         "Guard: a run not settled after this many periods stops and is reported as such.",
                         "Runs of March's setting settle in 10 to 200 periods (slowest at p1 = 0.1: mean about 110, "
                         "at most about 200 in 18,000 runs); the guard only stops a degenerate configuration.")
    socialisation: Socialisation = choice(
        "gradual", "How a socialised belief moves: 'gradual' one step (-1 -> 0 -> +1), 'jump' straight to the code's.",
        "Gradual reproduces the original program (Christensen 2015; Rodan 2005); jump is the paper's literal wording.")
    superiority: Superiority = choice(
        "performance", "What makes a member superior to the code: 'performance' of its actions (0 beliefs act at "
        "random), or 'knowledge' of its beliefs (agreements with reality).",
        "Performance reproduces the original program (Christensen 2015); knowledge is the paper's literal wording.")


@dataclass
class MarchState:
    """Reality ``(..., m)`` in {-1, +1}, code ``(..., m)`` and beliefs ``(..., n, m)`` in {-1, 0, +1}."""

    reality: np.ndarray
    code: np.ndarray
    beliefs: np.ndarray

    def take(self, index: np.ndarray) -> MarchState:
        """The runs selected by ``index`` along the first (batch) dimension."""
        return MarchState(self.reality[index], self.code[index], self.beliefs[index])


@dataclass
class MarchResult:
    """Outcome of a set of runs (one entry per run).

    ``knowledge``: the code's knowledge (:func:`knowledge`) when the run stopped; ``periods``: the
    periods it ran; ``settled``: whether it reached equilibrium (False only if ``max_periods`` cut
    it); ``trajectory``: the code's knowledge at the start and after every period,
    ``(periods.max() + 1, runs)``, a settled run holding its final value (None unless asked for).
    """

    knowledge: np.ndarray
    periods: np.ndarray
    settled: np.ndarray
    trajectory: np.ndarray | None = None


def initial_state(params: MarchParams, rng: np.random.Generator, runs: int | None = None) -> MarchState:
    """March's start: random reality, members with beliefs -1/0/+1 equally likely, a neutral code.

    ``runs`` None gives one organisation (no batch dimension); an integer, that many independent ones."""
    batch = () if runs is None else (runs,)
    reality = (2 * rng.integers(0, 2, (*batch, params.m)) - 1).astype(np.int8)
    beliefs = (rng.integers(0, 3, (*batch, params.n, params.m)) - 1).astype(np.int8)
    return MarchState(reality, np.zeros((*batch, params.m), np.int8), beliefs)


def score(x: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Agreements minus disagreements with reality (0 beliefs count neither); ``x`` is ``(..., m)``
    against ``reality`` ``(..., m)``, or ``(..., n, m)`` against it broadcast over members."""
    if x.ndim == reality.ndim + 1:
        reality = reality[..., None, :]
    return (x.astype(np.int32) * reality).sum(axis=-1)


def knowledge(x: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """March's knowledge: :func:`score` as a fraction of m, in [-1, 1]."""
    return score(x, reality) / x.shape[-1]


def act(beliefs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions: a member's belief where it holds one, a fair coin (+1/-1) where it holds 0."""
    coin = (2 * rng.integers(0, 2, beliefs.shape) - 1).astype(np.int8)
    return np.where(beliefs != 0, beliefs, coin)


def socialise(code: np.ndarray, beliefs: np.ndarray, p1: float | np.ndarray, rng: np.random.Generator,
              socialisation: Socialisation = "gradual") -> np.ndarray:
    """Members' beliefs after one period of socialisation into ``code`` (a new array).

    Each belief that differs from a non-zero code belief moves with probability ``p1`` (a float, or
    an array broadcastable to ``beliefs``, e.g. ``(n, 1)`` for a rate per member): one step towards
    it if ``gradual`` (+1 -> 0 -> -1 and back), all the way if ``jump``."""
    c = code[..., None, :]
    moves = (c != 0) & (beliefs != c) & (rng.random(beliefs.shape) < p1)
    if socialisation == "gradual":
        return (beliefs + np.where(moves, c, 0)).astype(np.int8)
    return np.where(moves, c, beliefs).astype(np.int8)


def votes(evidence: np.ndarray, superior: np.ndarray) -> np.ndarray:
    """Net vote of the superior group on each dimension: sum of its members' +1/-1 (0 abstains),
    ``(..., m)``; its sign is the majority view and its size the majority's excess k."""
    return np.where(superior[..., None], evidence, 0).astype(np.int32).sum(axis=-2)


def learn_code(code: np.ndarray, net_votes: np.ndarray, p2: float | np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
    """The code after one period of learning from the superior group's ``net_votes`` (a new array).

    Where the majority (sign of the net vote) differs from the code, the code adopts it with
    probability ``1 - (1 - p2) ** k``, ``k = |net vote|`` (March 1991, footnote 1); ties change nothing."""
    majority = np.sign(net_votes).astype(np.int8)
    k = np.abs(net_votes)
    adopt = (majority != 0) & (majority != code) & (rng.random(code.shape) < 1.0 - (1.0 - p2) ** k)
    return np.where(adopt, majority, code).astype(np.int8)


def superior_group(state: MarchState, actions: np.ndarray | None) -> np.ndarray:
    """Members superior to the code, ``(..., n)`` bool: by performance of ``actions`` if given (score
    of the actions against the code's score), else by knowledge (count of beliefs right against the
    code's count)."""
    r = state.reality
    if actions is not None:
        return score(actions, r) > score(state.code, r)[..., None]
    right = (state.beliefs == r[..., None, :]).sum(axis=-1)
    return right > (state.code == r).sum(axis=-1)[..., None]


def step(state: MarchState, p1: float | np.ndarray, p2: float | np.ndarray, rng: np.random.Generator,
         socialisation: Socialisation = "gradual", superiority: Superiority = "performance") -> MarchState:
    """One period: members act, are socialised into the code, and the code learns from the superior
    group, all reading the state at the start of the period.  Returns a new state (reality is shared).

    Random draws, in order: coin tosses for 0 beliefs (performance only), socialisation, code learning."""
    actions = act(state.beliefs, rng) if superiority == "performance" else None
    superior = superior_group(state, actions)
    beliefs = socialise(state.code, state.beliefs, p1, rng, socialisation)
    evidence = state.beliefs if actions is None else actions
    code = learn_code(state.code, votes(evidence, superior), p2, rng)
    return MarchState(state.reality, code, beliefs)


def settled(state: MarchState, p1: float | np.ndarray, p2: float | np.ndarray,
            superiority: Superiority = "performance") -> np.ndarray:
    """Whether each run is at equilibrium: no member nor the code can change any more (module doc).

    Returns a bool array of the batch shape (a 0-d array for one organisation)."""
    c, b, r = state.code, state.beliefs, state.reality
    c_ = c[..., None, :]
    pending = (c_ != 0) & (b != c_) & (np.broadcast_to(np.asarray(p1), b.shape) > 0)
    members_fixed = ~pending.any(axis=(-2, -1))
    if superiority == "performance":
        best = score(b, r) + (b == 0).sum(axis=-1)
        code_fixed = ~(best > score(c, r)[..., None]).any(axis=-1)
    else:
        majority = np.sign(votes(b, superior_group(state, None)))
        code_fixed = ~((majority != 0) & (majority != c)).any(axis=-1)
    return members_fixed & (code_fixed | np.all(np.asarray(p2) == 0))


def run_march(params: MarchParams, rng: np.random.Generator, runs: int = 1,
              trajectory: bool = False) -> MarchResult:
    """``runs`` independent organisations in March's setting, each until it settles (or ``max_periods``).

    The runs advance together as one batch; a run leaves the batch when it settles, so a result
    depends on the generator and on ``runs`` (the same pair always gives the same result)."""
    state = initial_state(params, rng, runs)
    know = knowledge(state.code, state.reality).astype(float)
    periods = np.zeros(runs, dtype=np.int64)
    done = np.zeros(runs, dtype=bool)
    history = [know.copy()] if trajectory else []
    active = np.arange(runs)
    for period in range(params.max_periods + 1):
        now = settled(state, params.p1, params.p2, params.superiority)
        if now.any():
            finished = active[now]
            done[finished] = True
            periods[finished] = period
            state, active = state.take(~now), active[~now]
        if active.size == 0 or period == params.max_periods:
            break
        state = step(state, params.p1, params.p2, rng, params.socialisation, params.superiority)
        know[active] = knowledge(state.code, state.reality)
        if trajectory:
            history.append(know.copy())
    periods[active] = params.max_periods
    traj = np.array(history) if trajectory else None
    return MarchResult(knowledge=know, periods=periods, settled=done, trajectory=traj)
