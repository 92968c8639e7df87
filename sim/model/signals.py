"""Step 6, signals and pivots, and the relay of intent down the reports-to edges.

Leadership perceives the market's need late and with noise: a first-order information delay
whose time constant and noise shrink with empathy (people name friction before the dashboard
does).  Every leader, the executive and each manager, then decides like a subject of Sterman's
(1989) beer game, with anchoring and adjustment over a supply line:

    expected  <- theta * observed + (1 - theta) * expected
    adjustment = alpha * ((expected - arrived) - beta * (decided - arrived))

``decided`` is the direction the leader passes on (its reading), ``arrived`` the direction its
teams have received (the mean, over the teams below it, of what their own manager last passed
them), and ``decided - arrived`` the supply line: change decided and not yet arrived.  The gap
is measured against what is known to have arrived, so it closes and does not wind up.  An
adjustment smaller than a minimum size is not made.  The executive adjusts on review days
toward its perception of the need; a manager adjusts daily toward what its own manager asks.
Each leader's theta, alpha, beta and minimum come from its own resilience, with Sterman's
average subject at resilience 0.5: low resilience = high theta, high alpha, low beta, a small
minimum.  Amplification down the hierarchy (the bullwhip) is then each manager's own
overshoot, not a fixed gain.

Every unit reads its parent's direction whenever it has changed, as a partial adjustment: the
change arrives in proportion to clarity, and the unit's lens and noise pull on its reading in
proportion to the size of the change (full at ``signals.lens_scale``), so a negligible change
costs next to nothing.  Now and then, on any day, teams re-read their parent's direction and close
part of the gap to it (socialisation, March 1991), faster when it is clear: the lens pull is then a
bounded bias that socialisation balances, not a drift that adds up over a manager's daily small
adjustments.
Teams whose reading changes rework part of their work in progress and lose commitment.
Seed 000 (Resilience, Clarity); MODEL.md step 6; docs/ODD.md 7.6.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .params import ModelParams, SignalParams
from .state import BACK, FRONT, L_CLARITY, L_EMPATHY, L_RESILIENCE, State, distance, normalize_rows, slack

INTENT_FLOOR = 0.02  # no theme of the executive's intent goes below 2% (the simplex, clipped)
READING_FLOOR = 1e-3
RELAY_TOLERANCE = 1e-12  # numerical, not behavioural: a manager's adjustment below it is no change


class UnstableAdjustment(UserWarning):
    """The executive's (alpha, beta) with its pipeline delay lie in the unstable region."""


def lerp(lo: float, hi: float, x: np.ndarray | float) -> np.ndarray | float:
    return lo + (hi - lo) * x


def lerp3(at0: float, at_mid: float, at1: float, r: np.ndarray | float) -> np.ndarray | float:
    """Piecewise-linear through (0, at0), (0.5, at_mid), (1, at1)."""
    r = np.asarray(r, dtype=float)
    out = np.where(r < 0.5, lerp(at0, at_mid, 2.0 * r), lerp(at_mid, at1, 2.0 * r - 1.0))
    return out if out.ndim else float(out)


def heuristic(sp: SignalParams, resilience: np.ndarray | float):
    """(theta, alpha, beta, minimum adjustment) of leaders of the given resilience."""
    return (lerp3(sp.theta_max, sp.theta_mid, sp.theta_min, resilience),
            lerp3(sp.alpha_max, sp.alpha_mid, sp.alpha_min, resilience),
            lerp3(sp.beta_min, sp.beta_mid, sp.beta_max, resilience),
            lerp(sp.min_pivot_min, sp.min_pivot_max, resilience))


def spectral_radius(alpha: float, beta: float, delay: int) -> float:
    """Largest root modulus of x_t = (1 - alpha beta) x_{t-1} - alpha (1 - beta) x_{t-L} + alpha n,
    the stock-management recursion with a pipeline delay of L = ``delay`` decisions: it converges
    when this is below 1 and oscillates with growing amplitude above it."""
    if delay < 1 or alpha == 0.0:
        return 1.0 - alpha * beta if delay >= 1 else 0.0
    coef = np.zeros(delay + 1)
    coef[0] = 1.0
    coef[1] = -(1.0 - alpha * beta)
    coef[delay] += alpha * (1.0 - beta)
    return float(np.abs(np.roots(coef)).max())


def pipeline_delay(st: State, review_every: int) -> int:
    """Reviews between a decision of the executive and its arrival at the deepest teams, if every
    manager relayed it at once (one level a day): the delay L of the reduced form."""
    days = int(st.level[st.team_unit].max()) if st.T else 1
    return math.ceil(days / review_every)


def perceive(st: State, params: ModelParams, rng: np.random.Generator, noise: float,
             friction_now: float) -> None:
    """Leadership's delayed, noisy, smoothed view of the need and of customer friction."""
    sp = params.signals
    emp = st.lever[0, L_EMPATHY]
    speed = 1.0 - sp.empathy_speedup * emp
    delay = max(1.0, sp.report_delay * speed)
    st.need_reported += (st.need - st.need_reported) / delay
    st.info_friction += (friction_now - st.info_friction) / delay
    observed = normalize_rows(st.need_reported + noise * speed * rng.normal(0.0, 1.0, st.need.size), 1e-3)
    theta = heuristic(sp, st.lever[0, L_RESILIENCE])[0]
    st.intent_seen = theta * observed + (1.0 - theta) * st.intent_seen


def arrived(st: State) -> np.ndarray:
    """For every unit, the mean over the teams below it (itself, for a team) of the direction they
    have received: what its decisions have delivered so far.  Units without teams: their reading."""
    K = st.anchor.shape[1]
    total = np.zeros((K + 1, st.U))  # rows: the K themes summed, then the count of teams
    total[:K, st.team_unit] = st.anchor[st.team_unit].T
    total[K, st.team_unit] = 1.0
    for units in reversed(st.by_level[1:]):  # parents precede children: accumulate bottom-up
        par = st.parent[units]
        for row in total:
            row += np.bincount(par, weights=row[units], minlength=st.U)
    out = st.reading.copy()
    has = total[K] > 0
    out[has] = (total[:K, has] / total[K, has]).T
    return out


def adjust(decided: np.ndarray, expected: np.ndarray, got: np.ndarray, alpha, beta) -> np.ndarray:
    """Sterman's (1989) anchoring and adjustment: the decided direction moves by a share alpha of
    the gap between expectation and what has arrived, less beta times the supply line."""
    return alpha * ((expected - got) - beta * (decided - got))


def learn_locally(st: State, rate: float) -> None:
    """Every team with work in hand moves its reading toward the theme mix of the requests in its own
    queue (what its customers ask of it): local, noisy learning about the need (March 1991's members
    learning about reality).  Not a relayed change: it rewrites no work in progress."""
    busy = np.flatnonzero((st.stage == FRONT) | (st.stage == BACK))
    if busy.size == 0:
        return
    K = st.reading.shape[1]
    counts = np.bincount(st.loc[busy] * K + st.theme[busy], minlength=st.T * K).reshape(st.T, K)
    n = counts.sum(axis=1)
    has = np.flatnonzero(n > 0)
    u = st.team_unit[has]
    mix = counts[has] / n[has, None]
    st.reading[u] = normalize_rows((1.0 - rate) * st.reading[u] + rate * mix, READING_FLOOR)


def learn_code(st: State, rate: float) -> bool:
    """March's (1991) code learning: the executive's intent moves by ``rate`` toward the mean reading
    of the teams that fit the need better than it does.  Returns whether it moved."""
    teams = st.reading[st.team_unit]
    fit = -distance(teams, st.need[None, :])
    superior = fit > -float(distance(st.reading[0], st.need))
    if not superior.any():
        return False
    intent = st.reading[0]
    new = normalize_rows(intent + rate * (teams[superior].mean(axis=0) - intent), INTENT_FLOOR)
    if distance(new, intent) <= RELAY_TOLERANCE:
        return False
    st.change[0] = new - intent
    st.reading[0] = new
    st.version[0] += 1
    return True


def review(st: State, params: ModelParams, step: int) -> float:
    """On a review day the executive adjusts its intent toward its perception of the need, if the
    adjustment is at least its minimum size, after learning from the teams that fit the need better
    (``signals.code_learning``, off by default).  Returns the pivot size (0 if none)."""
    sp = params.signals
    if step % sp.review_every != 0:
        return 0.0
    if sp.code_learning > 0:
        learn_code(st, sp.code_learning)
    _, alpha, beta, minimum = heuristic(sp, st.lever[0, L_RESILIENCE])
    flag_instability(st, alpha, beta, pipeline_delay(st, sp.review_every))
    intent = st.reading[0]
    raw = intent + adjust(intent, st.intent_seen, arrived(st)[0], alpha, beta)
    size = float(distance(raw, intent))
    if size == 0.0 or size < minimum:
        return 0.0
    if raw.min() < INTENT_FLOOR:
        st.clipped += 1  # the linear rule would leave the simplex: clipped, and counted
    new = normalize_rows(raw, INTENT_FLOOR)
    size = float(distance(new, intent))
    st.change[0] = new - intent
    st.reading[0] = new
    st.version[0] += 1
    st.tick.pivots += 1
    st.tick.pivot_size += size
    return size


def flag_instability(st: State, alpha: float, beta: float, delay: int) -> None:
    """Flag (once per run, with a warning) an executive whose adjustment rule diverges in the
    reduced form: its oscillations would grow until the simplex clips them."""
    if not st.unstable and spectral_radius(alpha, beta, delay) >= 1.0:
        st.unstable = True
        warnings.warn(f"the executive's adjustment (alpha {alpha:.3g}, beta {beta:.3g}, pipeline delay {delay} "
                      "reviews) is in the unstable region: its oscillations grow until the priorities are clipped",
                      UnstableAdjustment, stacklevel=3)


def cascade(st: State, params: ModelParams, rng: np.random.Generator) -> np.ndarray:
    """Every unit receives its parent's direction when it has changed.  A manager takes it as its
    target and adjusts what it passes on (anchoring and adjustment); a team reads it through its
    lens, a partial adjustment whose cost grows with the size of the change.  Re-reads
    (socialisation) on any day, after the relay.
    Synchronous: every read uses the readings from before this call.  Returns each team's change
    of reading (total-variation distance) this step."""
    sp = params.signals
    U, K = st.U, st.reading.shape[1]
    if sp.local_learning > 0:
        learn_locally(st, sp.local_learning)
    old = st.reading.copy()
    new = old.copy()
    child = np.flatnonzero(st.parent >= 0)
    par = st.parent[child]
    delta = old[par] - st.anchor[child]
    size = 0.5 * np.abs(delta).sum(axis=1)
    relay = size > 0.0
    st.anchor[child[relay]] = old[par[relay]]  # the direction received (what has arrived)
    refresh = rng.random(U)[child] < sp.refresh

    team = st.is_team[child]
    j, pj = child[team], par[team]
    clarity = st.lever[pj, L_CLARITY][:, None]
    moved, reread = relay[team], refresh[team]
    if moved.any():  # the change arrives; the lens pulls and noise blurs as much as it is large and unclear
        u, c = j[moved], clarity[moved]
        w = (1.0 - c) * np.minimum(1.0, size[team][moved] / sp.lens_scale)[:, None]
        if sp.clarify > 0:  # a team with time in hand asks what the change means before it acts on it
            w = w * (1.0 - sp.clarify * slack(st.load_ratio[st.unit_team[u]]))[:, None]
        noise = sp.read_noise * w * rng.normal(0.0, 1.0, (u.size, K))
        new[u] = normalize_rows(old[u] + delta[team][moved] + w * (st.lens[u] - old[u]) + noise / K, READING_FLOOR)
    if reread.any():  # socialisation: the direction is learnt, faster when it is clear, whether or not it moved
        u = j[reread]
        learn = sp.socialisation * (sp.socialisation_floor + (1.0 - sp.socialisation_floor) * clarity[reread])
        new[u] = normalize_rows((1.0 - learn) * new[u] + learn * old[pj[reread]], READING_FLOOR)

    mgr = child[~team]
    if mgr.size:  # each manager: anchoring and adjustment of what it passes on
        theta, alpha, beta, _ = heuristic(sp, st.lever[mgr, L_RESILIENCE])
        st.expectation[mgr] += theta[:, None] * (st.anchor[mgr] - st.expectation[mgr])
        raw = old[mgr] + adjust(old[mgr], st.expectation[mgr], arrived(st)[mgr], alpha[:, None], beta[:, None])
        act = distance(raw, old[mgr]) > RELAY_TOLERANCE
        new[mgr[act]] = normalize_rows(raw[act], READING_FLOOR)

    changed = np.flatnonzero((new != old).any(axis=1))
    st.change[changed] = new[changed] - old[changed]
    st.reading[changed] = new[changed]
    st.version[changed] += 1
    return distance(new[st.team_unit], old[st.team_unit])


def rework(st: State, params: ModelParams, rng: np.random.Generator, team_change: np.ndarray) -> None:
    """Work in progress that no longer fits the new reading is redone; commitment erodes."""
    sp = params.signals
    busy = np.flatnonzero(((st.stage == FRONT) | (st.stage == BACK)) & (st.remaining < st.work_total))
    if busy.size:
        team = st.loc[busy]
        hit = busy[rng.random(busy.size) < np.minimum(1.0, sp.rework_gain * team_change[team])]
        lost = st.work_total[hit] - st.remaining[hit]
        st.tick.rework += float(lost.sum())
        st.tick.waste += float(lost.sum())
        st.remaining[hit] = st.work_total[hit]
        st.reworked[hit] = True
    wasted = st.initiative_wip * np.minimum(1.0, sp.rework_gain * team_change)
    st.initiative_wip -= wasted
    st.tick.waste += float(wasted.sum())
    st.tick.rework += float(wasted.sum())
    st.commitment -= sp.commitment_drop * team_change * st.commitment
    st.commitment += sp.commitment_recovery * (1.0 - st.commitment)
    np.clip(st.commitment, 0.0, 1.0, out=st.commitment)
