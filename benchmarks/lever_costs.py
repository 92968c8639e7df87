"""Best value of ownership, empathy and the customer bar by condition (issue 10, section 3).

For each lever, each grid value and each condition (calm or shock) x (flat or deep hierarchy),
run paired seeds (replicate i of every cell uses seed ROOT + i) with the other levers at their
defaults, and score friction (mean friction index, days 50-200) and satisfaction (mean, days
50-200).  Prints a table of means and the best value per condition; ``--figure PATH`` draws the
dose-response curves; ``--off`` switches the levers' cost mechanisms off (their parameters at 0).

    PYTHONPATH=$PWD python benchmarks/lever_costs.py --seeds 10 --figure docs/figures/lever_costs.png
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lever_grid import CONDITIONS, COSTS_OFF, GRID, LEVERS_STUDIED, cell_scores
from patterns_util import Diff, merge


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--off", action="store_true", help="cost parameters at 0")
    ap.add_argument("--levers", default=",".join(LEVERS_STUDIED))
    ap.add_argument("--paired", action="store_true",
                    help="also print each value's paired difference against 1.0 (95%% t interval; + = better)")
    ap.add_argument("--set", default="{}", help="extra parameter overrides, as JSON")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--figure", type=Path)
    ap.add_argument("--from-json", type=Path, help="draw the figure of a saved grid (no runs)")
    a = ap.parse_args()
    levers = a.levers.split(",")
    if a.from_json:
        figure(json.loads(a.from_json.read_text()), levers, a.figure)
        return
    extra = merge(COSTS_OFF if a.off else {}, json.loads(a.set))
    jobs = [(lever, v, cond, a.seeds, extra) for lever in levers for cond in CONDITIONS for v in GRID]
    with ProcessPoolExecutor(a.workers, mp_context=multiprocessing.get_context("forkserver")) as ex:
        res = list(ex.map(_job, jobs))
    out: dict = {}
    for (lever, v, cond, _, _), (fr, sat) in zip(jobs, res, strict=True):
        out.setdefault(lever, {}).setdefault(cond, {})[v] = {"friction": fr.tolist(), "satisfaction": sat.tolist()}
    for lever in levers:
        print(f"\n## {lever}  (friction mean / satisfaction mean; * best)")
        print("| condition | " + " | ".join(f"{v:g}" for v in GRID) + " | best (friction) | best (satisfaction) |")
        print("|---|" + "---|" * (len(GRID) + 2))
        for cond in CONDITIONS:
            cells = out[lever][cond]
            fr = {v: np.mean(cells[v]["friction"]) for v in GRID}
            sa = {v: np.mean(cells[v]["satisfaction"]) for v in GRID}
            bf, bs = min(fr, key=fr.get), max(sa, key=sa.get)
            row = " | ".join(f"{fr[v]:.2f} / {sa[v]:.3f}" for v in GRID)
            print(f"| {cond} | {row} | {bf:g} | {bs:g} |")
    if a.paired:
        paired(out, levers)
    if a.json:
        a.json.write_text(json.dumps(out))
    if a.figure:
        figure(out, levers, a.figure)


def paired(out: dict, levers: list[str]) -> None:
    """Every value below 1.0 against 1.0, same seeds, signed so that + is better (friction negated);
    '*' marks an interval above zero.  Prints how many comparisons were made (multiple comparisons)."""
    n = 0
    print("\n| lever | condition | value | friction: better than 1.0 by | satisfaction: better than 1.0 by |")
    print("|---|---|---|---|---|")
    for lever in levers:
        for cond in CONDITIONS:
            cells = out[lever][cond]
            for v in GRID[:-1]:
                row = []
                for key, sign in (("friction", -1.0), ("satisfaction", 1.0)):
                    d = Diff(sign * np.array(cells[v][key]), sign * np.array(cells[GRID[-1]][key]))
                    lo, hi = d.ci
                    row.append(f"{d.mean:+.4g} [{lo:+.4g}, {hi:+.4g}]{' *' if d.positive() else ''}")
                    n += 1
                print(f"| {lever} | {cond} | {v:g} | {row[0]} | {row[1]} |")
    print(f"\n{n} paired comparisons; '*' = 95% interval above zero (expect about {0.025 * n:.1f} by chance)")


def _job(args):
    lever, v, cond, seeds, off = args
    return cell_scores(lever, v, cond, seeds, copy.deepcopy(off))


def figure(out: dict, levers: list[str], path: Path) -> None:
    out = {lv: {c: {float(v): x for v, x in cells.items()} for c, cells in conds.items()}
           for lv, conds in out.items()}  # keys read back from JSON are strings
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, len(levers), figsize=(4.2 * len(levers), 6.5), squeeze=False)
    for j, lever in enumerate(levers):
        for cond in CONDITIONS:
            cells = out[lever][cond]
            for i, key in enumerate(("friction", "satisfaction")):
                base = np.array(cells[GRID[-1]][key])
                rel = [np.mean(np.array(cells[v][key]) - base) for v in GRID]
                axes[i, j].plot(GRID, rel, marker="o", label=cond)
        axes[0, j].set_title(lever)
        axes[0, j].set_ylabel("friction minus friction at 1.0")
        axes[1, j].set_ylabel("satisfaction minus satisfaction at 1.0")
        axes[1, j].set_xlabel(f"{lever} level")
        for i in range(2):
            axes[i, j].axhline(0.0, color="grey", lw=0.5)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("Paired differences against the lever at 1.0 (mean over seeds; days 50-200)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
