"""Reading a calibration folder's posterior, for ``alignsim compare --posterior DIR``, and telling
which source of uncertainty dominates a comparison's intervals.

- :func:`load_draws`: ``n`` draws from the last generation of ``DIR/posterior.parquet``, resampled
  by weight with ``SeedSequence(root, spawn_key=(5,))`` (deterministic from the comparison's root
  seed), as a :class:`~sim.runner.draws.Draws`;
- :func:`decompose`: for each scenario and KPI, how much of the replicates' variance (of the
  level for the reference, of the paired difference from it for the others) the draws explain.

The split is the law of total variance, Var(Y) = Var(E[Y | draw]) + E[Var(Y | draw)], with the
first term estimated by a linear regression of Y on the draw's fitted values (adjusted R²): the
parameter part is what the fitted parameters explain linearly, the rest is stochastic (the seed)
plus any non-linear parameter effect, so the parameter share is a lower bound. With fewer than
``len(names) + 3`` replicates it is not estimated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.runner.draws import Draws

FORMAT = "alignsim-calibration/1"


def load_draws(folder: str | Path, n: int, root: int, scenarios: list[tuple[str, Any]] | None = None) -> Draws:
    """``n`` posterior draws of the calibration in ``folder``; ``scenarios`` ((name, validated
    scenario) pairs, the first is the reference) decide which fitted values each keeps as its own."""
    from sim.runner.manifest import read_manifest

    path = Path(folder)
    if read_manifest(path, FORMAT) is None or not (path / "posterior.parquet").is_file():
        raise InputError(f"--posterior {folder}", "not an `alignsim calibrate` output folder (no manifest.json of "
                         f"format {FORMAT} and posterior.parquet)")
    try:
        post = pd.read_parquet(path / "posterior.parquet")
    except (OSError, ValueError) as exc:
        raise InputError(f"--posterior {folder}", f"cannot read posterior.parquet ({exc})") from None
    last = post[post["generation"] == post["generation"].max()]
    names = tuple(c for c in post.columns if c not in ("generation", "particle", "weight", "distance"))
    weights = last["weight"].to_numpy(float)
    rng = np.random.default_rng(np.random.SeedSequence(int(root), spawn_key=(5,)))
    picks = rng.choice(len(last), size=int(n), p=weights / weights.sum())
    theta = last[list(names)].to_numpy(float)[picks]
    keep: dict[str, tuple[str, ...]] = {}
    if scenarios:
        ref = scenarios[0][1].params.model_dump()
        for name, sc in scenarios:
            own = sc.params.model_dump()
            keep[name] = tuple(k for k in names if _get(own, k) != _get(ref, k))
    return Draws(names, tuple(tuple(float(x) for x in row) for row in theta), str(path), keep)


def _get(raw: dict[str, Any], dotted: str) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def parameter_share(y: np.ndarray, x: np.ndarray) -> float:
    """Adjusted R² of a least-squares fit of ``y`` on ``x`` (with intercept), clipped to [0, 1];
    NaN when there are too few rows or ``y`` does not vary."""
    n, k = x.shape
    if n < k + 3 or not np.isfinite(y).all() or np.var(y) == 0:
        return float("nan")
    design = np.column_stack([np.ones(n), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    r2 = 1 - resid @ resid / np.sum((y - y.mean()) ** 2)
    adj = 1 - (1 - r2) * (n - 1) / (n - k - 1)
    return float(min(max(adj, 0.0), 1.0))


def decompose(values: pd.DataFrame, scenarios: list[str], kpis: list[str], draws: dict[str, Any]) -> pd.DataFrame:
    """Per scenario and KPI: the parameter share of the replicates' variance and which source dominates.

    ``values``: one row per (scenario, replicate) with a column per KPI (compare's analysis);
    ``draws``: the manifest's ``posterior`` entry (names and one row of values per replicate).
    """
    theta = np.asarray(draws["draws"], float)
    ref = values[values["scenario"] == scenarios[0]].sort_values("replicate")
    rows = []
    for name in scenarios:
        run = values[values["scenario"] == name].sort_values("replicate")
        reps = run["replicate"].to_numpy(int)
        x = theta[reps % len(theta)]
        for k in kpis:
            y = run[k].to_numpy(float)
            what = "level"
            if name != scenarios[0]:
                y = y - ref[k].to_numpy(float)
                what = f"difference from {scenarios[0]}"
            share = parameter_share(y, x)
            verdict = ("no variation" if len(y) > 1 and np.ptp(y) == 0 else
                       "too few replicates to tell" if not np.isfinite(share) else
                       "parameter uncertainty dominates" if share > 0.5 else "stochastic variation dominates")
            rows.append({"scenario": name, "kpi": k, "of": what, "sd": float(np.std(y, ddof=1)) if len(y) > 1 else
                         float("nan"), "parameter_share": share, "stochastic_share": 1 - share, "dominant": verdict})
    return pd.DataFrame(rows)
