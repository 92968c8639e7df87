"""ABC-SMC (approximate Bayesian computation by sequential Monte Carlo), small and deterministic.

The algorithm is the population Monte Carlo ABC of Beaumont, Cornuet, Marin and Robert (2009,
*Biometrika* 96(4): 983-990) with the adaptive tolerance schedule of Del Moral, Doucet and Jasra
(2012) in its simplest form (each tolerance is a quantile of the previous generation's distances,
as in pyabc's default):

- generation 0: ``population`` draws from the prior (uniform on a box), every one accepted
  (tolerance infinity); their summaries also fix the distance's scales (median absolute deviation
  of each summary over the prior predictive, as pyabc's adaptive distance does once);
- generation t >= 1: tolerance = the ``quantile`` of the previous distances (weighted); candidates
  are a previous particle, picked by weight, moved by a Gaussian kernel (per-parameter sd =
  sqrt(2) x the weighted sd of the previous generation, Beaumont et al.'s optimal scale),
  truncated to the prior's box; a candidate is accepted if its simulation lies within the
  tolerance; weights are prior / proposal density (the truncated kernel's normalising constant
  included, so the box does not bias the weights).

Deterministic by construction: candidates are drawn in the coordinator in rounds, from a
generator seeded by ``SeedSequence(root, spawn_key=(1, generation, round))``; each simulation's
seed is ``run_seed(root, (2, generation, round, i))``; a round is simulated whole and its
candidates are accepted in candidate order until the population is full. So the result does not
depend on the executor, the number of workers or the order in which simulations finish (unlike a
sampler that accepts whatever finishes first), and a killed calibration resumes from a store of
finished simulations keyed by those spawn keys.

Nothing here knows the model: ``simulate(thetas, keys)`` returns each candidate's summary vector
(None for a failed simulation, which counts as rejected).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

Key = tuple[int, ...]
Simulate = Callable[[np.ndarray, list[Key]], list[np.ndarray | None]]


@dataclass(frozen=True)
class Box:
    """A uniform prior on ``low <= theta <= high``, one entry per parameter name."""

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray

    def __post_init__(self) -> None:
        if not (len(self.names) == len(self.low) == len(self.high)) or not np.all(self.high > self.low):
            raise ValueError("a box needs one low < high per parameter")

    @property
    def width(self) -> np.ndarray:
        return self.high - self.low

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.low + rng.random((n, len(self.names))) * self.width


@dataclass(frozen=True)
class Settings:
    population: int = 200  # particles per generation
    generations: int = 8  # at most, generation 0 included
    quantile: float = 0.5  # next tolerance: this quantile of the current distances
    min_acceptance: float = 0.03  # stop once a generation accepts fewer of its candidates
    max_rounds: int = 10  # rounds of candidates per generation before it gives up
    budget: int = 100_000  # simulations at most, over all generations

    def __post_init__(self) -> None:
        if self.population < 2 or self.generations < 1 or not 0 < self.quantile < 1:
            raise ValueError("population >= 2, generations >= 1 and 0 < quantile < 1")


@dataclass
class Generation:
    """One population: its tolerance, particles, normalised weights, distances and cost."""

    t: int
    eps: float
    theta: np.ndarray  # (population, parameters)
    weights: np.ndarray
    distances: np.ndarray
    simulations: int  # simulated in this generation
    accepted: int  # accepted among them (may exceed the population: the extras are dropped)

    @property
    def acceptance(self) -> float:
        return self.accepted / max(self.simulations, 1)

    @property
    def ess(self) -> float:
        """Kish's effective sample size of the weights."""
        return float(self.weights.sum() ** 2 / np.sum(self.weights ** 2))


@dataclass
class Fit:
    box: Box
    settings: Settings
    scales: np.ndarray  # per summary component
    generations: list[Generation] = field(default_factory=list)
    stop: str = ""

    @property
    def posterior(self) -> Generation:
        return self.generations[-1]

    @property
    def simulations(self) -> int:
        return sum(g.simulations for g in self.generations)


# -- distances --------------------------------------------------------------------------------------
def mad_scales(summaries: np.ndarray) -> np.ndarray:
    """Each component's median absolute deviation over ``summaries`` (rows: simulations); where it
    is 0, the standard deviation; where that is 0 too (a component no draw moves), 1."""
    med = np.nanmedian(summaries, axis=0)
    mad = np.nanmedian(np.abs(summaries - med), axis=0)
    sd = np.nanstd(summaries, axis=0)
    out = np.where(mad > 0, mad, sd)
    return np.where(out > 0, out, 1.0)


def distance(summary: np.ndarray | None, observed: np.ndarray, scales: np.ndarray) -> float:
    """Root mean square of the scaled differences over the observed components (inf if failed)."""
    if summary is None:
        return math.inf
    diff = (summary - observed) / scales
    keep = ~np.isnan(observed)
    if np.isnan(diff[keep]).any():
        return math.inf
    return float(np.sqrt(np.mean(diff[keep] ** 2)))


# -- weighted statistics -----------------------------------------------------------------------------
def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float | Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (midpoint rule of the cumulative weights)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.atleast_1d(q), cum, v)


def kernel_sd(theta: np.ndarray, weights: np.ndarray, box: Box) -> np.ndarray:
    """sqrt(2) x the weighted sd of each parameter (Beaumont et al. 2009), at least 1e-3 of its range."""
    mean = weights @ theta
    var = weights @ (theta - mean) ** 2
    return np.maximum(np.sqrt(2.0 * var), 1e-3 * box.width)


def _inside_mass(theta: np.ndarray, sd: np.ndarray, box: Box) -> np.ndarray:
    """The kernel's mass inside the box around each particle (product over parameters)."""
    return np.prod(ndtr((box.high - theta) / sd) - ndtr((box.low - theta) / sd), axis=1)


def proposal_density(x: np.ndarray, theta: np.ndarray, weights: np.ndarray, sd: np.ndarray, box: Box) -> np.ndarray:
    """The mixture density of the truncated kernels at each row of ``x``."""
    z = (x[:, None, :] - theta[None, :, :]) / sd  # (candidates, particles, parameters)
    dens = np.exp(-0.5 * np.sum(z ** 2, axis=2)) / np.prod(np.sqrt(2 * np.pi) * sd)
    return (dens / _inside_mass(theta, sd, box)) @ weights


def perturb(rng: np.random.Generator, prev: Generation, sd: np.ndarray, box: Box, n: int) -> np.ndarray:
    """``n`` candidates: a particle picked by weight, moved by the kernel, redrawn until inside the box."""
    parents = rng.choice(len(prev.weights), size=n, p=prev.weights)
    out = prev.theta[parents] + rng.normal(size=(n, len(sd))) * sd
    for _ in range(1000):
        bad = np.any((out < box.low) | (out > box.high), axis=1)
        if not bad.any():
            return out
        out[bad] = prev.theta[parents[bad]] + rng.normal(size=(int(bad.sum()), len(sd))) * sd
    return np.clip(out, box.low, box.high)  # pragma: no cover - a kernel this far outside cannot occur


# -- the algorithm -------------------------------------------------------------------------------------
def proposal_rng(root: int, t: int, r: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(int(root), spawn_key=(1, t, r)))


def sim_keys(t: int, r: int, n: int) -> list[Key]:
    """The spawn keys of the simulations of round ``r`` of generation ``t`` (their seeds derive from them)."""
    return [(2, t, r, i) for i in range(n)]


def first_generation(simulate: Simulate, box: Box, settings: Settings, root: int) -> tuple[Generation, np.ndarray]:
    """Generation 0 (the prior, every draw accepted) and its summaries (failed simulations: NaN)."""
    n = settings.population
    theta = box.sample(proposal_rng(root, 0, 0), n)
    out = simulate(theta, sim_keys(0, 0, n))
    ok = [i for i, s in enumerate(out) if s is not None]
    if len(ok) < 2:
        raise RuntimeError(f"{n - len(ok)} of the {n} prior simulations failed")
    width = len(out[ok[0]])
    summaries = np.array([s if s is not None else np.full(width, np.nan) for s in out], dtype=float)
    gen = Generation(0, math.inf, theta[ok], np.full(len(ok), 1.0 / len(ok)), np.zeros(len(ok)), n, len(ok))
    return gen, summaries[ok]


def fit(simulate: Simulate, observed: np.ndarray, box: Box, settings: Settings, root: int,
        on_generation: Callable[[Generation], None] | None = None) -> Fit:
    """Run ABC-SMC: ``simulate`` gives summaries comparable to ``observed`` (NaN: not observed)."""
    gen0, summaries = first_generation(simulate, box, settings, root)
    result = Fit(box, settings, mad_scales(summaries))
    gen0.distances = np.array([distance(s, observed, result.scales) for s in summaries])
    result.generations.append(gen0)
    if on_generation is not None:
        on_generation(gen0)
    used = gen0.simulations
    for t in range(1, settings.generations):
        prev = result.generations[-1]
        finite = np.isfinite(prev.distances)
        eps = float(weighted_quantile(prev.distances[finite], prev.weights[finite], settings.quantile)[0])
        gen, spent = _generation(simulate, observed, box, settings, root, t, eps, prev, result.scales,
                                 settings.budget - used)
        used += spent
        if gen is None:
            result.stop = (f"generation {t} accepted fewer than {settings.population} particles within "
                           f"{settings.max_rounds} rounds or the budget ({spent} simulations spent on it); kept "
                           f"generation {t - 1}")
            return result
        result.generations.append(gen)
        if on_generation is not None:
            on_generation(gen)
        if gen.acceptance < settings.min_acceptance:
            result.stop = f"acceptance rate {gen.acceptance:.3f} fell below {settings.min_acceptance}"
            return result
        if used >= settings.budget:
            result.stop = f"simulation budget of {settings.budget} reached"
            return result
    result.stop = f"{settings.generations} generations done"
    return result


def _generation(simulate: Simulate, observed: np.ndarray, box: Box, settings: Settings, root: int, t: int,
                eps: float, prev: Generation, scales: np.ndarray, budget: int) -> tuple[Generation | None, int]:
    """Generation ``t`` at tolerance ``eps``; (None, cost) when it cannot be filled."""
    n = settings.population
    sd = kernel_sd(prev.theta, prev.weights, box)
    kept: list[tuple[np.ndarray, float]] = []
    simulated = accepted = 0
    rate = 0.5
    for r in range(settings.max_rounds):
        need = n - len(kept)
        size = int(min(max(math.ceil(1.2 * need / max(rate, 0.02)), n // 4, 2), 4 * n, budget - simulated))
        if size <= 0:
            break
        cand = perturb(proposal_rng(root, t, r), prev, sd, box, size)
        out = simulate(cand, sim_keys(t, r, size))
        d = np.array([distance(s, observed, scales) for s in out])
        hits = np.flatnonzero(d <= eps)
        simulated += size
        accepted += len(hits)
        kept.extend((cand[i], float(d[i])) for i in hits[: max(need, 0)])
        rate = max(accepted / simulated, 1e-3)
        if len(kept) >= n:
            theta = np.array([k[0] for k in kept])
            w = 1.0 / proposal_density(theta, prev.theta, prev.weights, sd, box)  # uniform prior: constant
            return Generation(t, eps, theta, w / w.sum(), np.array([k[1] for k in kept]), simulated,
                              accepted), simulated
    return None, simulated
