"""A calibration's output folder, written atomically (:func:`sim.runner.folders.replace_atomically`).

    posterior.parquet, posterior.csv   every generation's particles: generation, particle, weight,
                                       distance, one column per fitted parameter (the posterior is
                                       the last generation)
    intervals.csv                      per parameter: prior range, mean, median, 90% credible
                                       interval, sd, width against the prior, verdict
    diagnostics.csv                    per generation: epsilon, simulations, accepted, acceptance
                                       rate, effective sample size
    predictive.csv, predictive.png     posterior predictive check: observed vs the 5-95% band of
                                       simulations at posterior draws (fresh seeds), per KPI
    calibrated.toml                    the scenario with each fitted parameter at its posterior
                                       median (loadable by ``alignsim run`` and ``alignsim compare``)
    summary.md                         the above in words, for a strategist
    manifest.json                      inputs, settings, seeds, versions, timings
    simulations/                       the store of every simulation (runs and metrics, Parquet)
"""

from __future__ import annotations

import io
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.calibrate.mapping import KpiMap
from sim.calibrate.study import Calibration, store_path
from sim.inputs.scenario_file import scenario_toml
from sim.inputs.space import set_values
from sim.runner.folders import replace_atomically
from sim.runner.manifest import check_out_dir as _guard
from sim.runner.manifest import git_revision, read_manifest, versions, write_json

FORMAT = "alignsim-calibration/1"
MANIFEST = "manifest.json"
FILES = ("posterior.parquet", "posterior.csv", "intervals.csv", "diagnostics.csv", "predictive.csv",
         "predictive.png", "calibrated.toml", "summary.md", MANIFEST)


def check_out_dir(out: Path) -> Path:
    """``out`` may receive a calibration: absent, empty, or an earlier calibration (replaced)."""
    return _guard(out, lambda d: read_manifest(d, FORMAT) is not None,
                  "is not empty and holds no earlier calibration; choose another --out")


def predictive_figure(cal: Calibration) -> Figure:
    table = cal.predictive()
    kpis = list(dict.fromkeys(table["kpi"]))
    n = len(kpis)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, kpis, strict=False):
        t = table[table["kpi"] == name]
        x = np.arange(len(t))
        ax.fill_between(x, t["sim_q05"], t["sim_q95"], color="#0072B2", alpha=0.25, label="simulated 5-95%")
        ax.plot(x, t["sim_median"], color="#0072B2", lw=1.5, label="simulated median")
        ax.plot(x, t["observed"], "o", color="#D55E00", ms=4, label="observed")
        m: KpiMap = cal.plan.history.maps[name]
        unit = next((u for u in t["unit"] if u), "")
        ax.set_title(f"{name}  ({m.how} of {m.column}{', ' + unit if unit else ''})", fontsize=9)
        step = max(1, len(t) // 6)
        ax.set_xticks(x[::step], list(t["period"])[::step], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"Posterior predictive check: {cal.plan.scenario.name}, {len(cal.ppc)} posterior draws", fontsize=10)
    return fig


def calibrated_toml(cal: Calibration) -> str:
    """The scenario with the fitted parameters at their posterior medians (org chart path absolute)."""
    p = cal.plan
    params = set_values(p.scenario.params.model_dump(), cal.medians())
    if params.org.chart and p.scenario.source is not None:
        chart = Path(params.org.chart).expanduser()
        if not chart.is_absolute():
            chart = (p.scenario.source.parent / chart).resolve()
        params = params.model_copy(update={"org": params.org.model_copy(update={"chart": str(chart)})})
    params = params.model_copy(update={"name": f"{p.scenario.name}-calibrated"})
    lines = [f"Calibrated from {p.scenario.label} on {p.history.source} by `alignsim calibrate` "
             f"(root seed {p.root}).",
             "Fitted parameters at their posterior medians; 90% credible intervals:"]
    for row in cal.intervals().itertuples():
        lines.append(f"  {row.parameter} = {row.median:.6g}  [{row.ci90_low:.6g}, {row.ci90_high:.6g}]  {row.verdict}")
    return scenario_toml(params, "\n".join(lines))


def summary_md(cal: Calibration) -> str:
    p, fit = cal.plan, cal.fit
    iv, diag, pred = cal.intervals(), cal.diagnostics(), cal.predictive()
    inside = float(pred["inside_90"].mean()) if len(pred) else float("nan")
    out = [f"# Calibration of {p.scenario.name} to {Path(p.history.source).name}", "",
           f"{len(p.history.observations)} observations of {len(p.history.kpis)} KPIs "
           f"({', '.join(p.history.kpis)}) over {p.history.days} days; {len(p.fits)} parameters fitted by "
           f"ABC-SMC: {fit.simulations} simulations in {len(fit.generations)} generations "
           f"(with the {len(cal.ppc)} predictive draws: {cal.simulations_run} run now, "
           f"{cal.simulations_reused} reused from an earlier run), {cal.wall_s:.0f} s on "
           f"{cal.pool.get('description', '')}.",
           f"Stopped: {fit.stop}.", "", "## Parameters (90% credible intervals)", "",
           "| parameter | prior | median | 90% interval | verdict |", "|---|---|---|---|---|"]
    for r in iv.itertuples():
        out.append(f"| `{r.parameter}` | {r.prior_low:g} - {r.prior_high:g} | {r.median:.4g} | "
                   f"{r.ci90_low:.4g} - {r.ci90_high:.4g} | {r.verdict} |")
    out += ["", "A parameter is *not identified* when its posterior 90% interval is at least "
            f"{100 * 0.75:.0f}% as wide as the prior's: the history does not tell its values apart, and what-ifs "
            "that depend on it carry the prior's uncertainty (use `alignsim compare --posterior`).", "",
            "## Fit", "", f"{100 * inside:.0f}% of the observations lie inside the posterior predictive 5-95% band "
            "(predictive.png); a KPI whose points sit outside its band is one the model does not reproduce at any "
            "fitted value: read its what-ifs with care.", "",
            "| generation | epsilon | simulations | acceptance | ESS |", "|---|---|---|---|---|"]
    for r in diag.itertuples():
        out.append(f"| {r.generation} | {r.epsilon:.4g} | {r.simulations} | {100 * r.acceptance_rate:.0f}% | "
                   f"{r.ess:.0f} |")
    out += ["", "## Mapping", ""]
    for name in p.history.kpis:
        m = p.history.maps[name]
        scale = f" x {m.scale:g}" if m.scale != 1 else ""
        offset = f" {'+' if m.offset >= 0 else '-'} {abs(m.offset):g}" if m.offset else ""
        out.append(f"- `{name}` = {m.how} of `{m.column}` over the period{scale}{offset}: {m.note}")
    for note in p.notes:
        out.append(f"\nNote: {note}")
    return "\n".join(out) + "\n"


def _manifest(cal: Calibration, argv: list[str] | None) -> dict[str, Any]:
    p = cal.plan
    return {
        "format": FORMAT, "command": argv, "scenario": p.scenario.label, "overrides": list(p.overrides),
        "history": p.history.source, "mapping": str(p.mapping_file) if p.mapping_file else None,
        "root_seed": p.root, "days": p.history.days,
        "fit": [{"name": f.name, "low": f.low, "high": f.high} for f in p.fits],
        "settings": vars(p.settings), "stop": cal.fit.stop, "simulations": cal.fit.simulations,
        "simulations_run": cal.simulations_run, "simulations_reused": cal.simulations_reused,
        "wall_s": round(cal.wall_s, 2), "executor": cal.pool,
        "distance": "root mean square of (simulated - observed) / MAD over the prior predictive",
        "scales": [float(x) for x in cal.fit.scales],
        "seeds": "simulation (kind, generation, round, i): run_seed(root, key); kind 2: ABC candidates, "
                 "3: predictive draws; proposals from SeedSequence(root, spawn_key=(1, generation, round))",
        "versions": versions(("scipy", "dask", "distributed")), "git": git_revision(Path(__file__)),
    }


def write_calibration(cal: Calibration, argv: list[str] | None = None) -> Path:
    """Write the folder ``cal.plan.out`` atomically; move the simulations' store into it."""
    out = Path(cal.plan.out).absolute()
    store = store_path(out)

    def fill(folder: Path) -> None:
        post = cal.posterior()
        post.to_parquet(folder / "posterior.parquet", index=False)
        post.to_csv(folder / "posterior.csv", index=False)
        cal.intervals().to_csv(folder / "intervals.csv", index=False)
        cal.diagnostics().to_csv(folder / "diagnostics.csv", index=False)
        cal.predictive().to_csv(folder / "predictive.csv", index=False)
        buf = io.BytesIO()
        predictive_figure(cal).savefig(buf, format="png", dpi=110, metadata={"Software": None})
        (folder / "predictive.png").write_bytes(buf.getvalue())
        (folder / "calibrated.toml").write_text(calibrated_toml(cal), encoding="utf-8")
        (folder / "summary.md").write_text(summary_md(cal), encoding="utf-8")
        if store.is_dir():
            shutil.copytree(store, folder / "simulations", ignore=shutil.ignore_patterns(".lock"))
        write_json(_manifest(cal, argv), folder / MANIFEST)

    replace_atomically(out, str(cal.plan.out), fill)
    shutil.rmtree(store, ignore_errors=True)
    return out


# -- compare --posterior: which source of uncertainty dominates each interval ------------------------
UNCERTAINTY = "uncertainty.csv"


def uncertainty_section(analysis: Any, folder: Path) -> list[str]:
    """For a comparison run with ``--posterior``: write ``uncertainty.csv`` (per scenario and KPI, the
    parameter and stochastic shares of the replicates' variance), add its section to the report
    before "Method", and return the summary's lines. Nothing for a comparison without draws."""
    import html

    from sim.calibrate.posterior import decompose
    from sim.model.kpis import kpi_label

    draws = analysis.saved.manifest.get("posterior")
    if not draws:
        return []
    kpis = [k.column for k in analysis.kpis]
    table = decompose(analysis.values, analysis.saved.scenarios, kpis, draws)
    table.to_csv(folder / UNCERTAINTY, index=False)
    counts = table["dominant"].value_counts()
    param = int(counts.get("parameter uncertainty dominates", 0))
    lines = [f"Replicates ran over {len(draws['draws'])} posterior draws of {', '.join(draws['names'])} "
             f"(from {draws['source']}) as well as seeds: parameter uncertainty dominates {param} of the "
             f"{len(table)} intervals, run-to-run variation the others ({UNCERTAINTY})."]
    top = table[table["dominant"] == "parameter uncertainty dominates"].sort_values("parameter_share", ascending=False)
    if len(top):
        names = ", ".join(f"{kpi_label(r.kpi)} ({r.scenario}, {100 * r.parameter_share:.0f}%)"
                          for r in top.head(5).itertuples())
        lines.append(f"Most driven by what the calibration left uncertain: {names}.")
    report = folder / "report.html"
    if report.is_file():
        rows = "".join(
            f"<tr><td>{html.escape(r.scenario)}</td><td>{html.escape(kpi_label(r.kpi))}</td><td>{html.escape(r.of)}"
            f"</td><td>{'' if not np.isfinite(r.parameter_share) else f'{100 * r.parameter_share:.0f}%'}</td>"
            f"<td>{html.escape(r.dominant)}</td></tr>" for r in table.itertuples())
        section = ('<h2 id="uncertainty">Parameter or chance: what drives each interval</h2>'
                   + "".join(f"<p>{html.escape(t)}</p>" for t in lines)
                   + "<p class=\"note\">Share of the replicates' variance explained (adjusted R², linear) by the "
                   "posterior draw each replicate ran with; the rest is run-to-run variation (and any non-linear "
                   "parameter effect, so the parameter share is a lower bound). Above 50%: parameter uncertainty "
                   "dominates; narrowing it needs more or better history, not more replicates.</p>"
                   "<table><tr><th>scenario</th><th>KPI</th><th>of</th><th>parameter share</th><th>dominant"
                   f"</th></tr>{rows}</table>")
        text = report.read_text(encoding="utf-8")
        mark = '<h2 id="method">'
        text = text.replace(mark, section + "\n" + mark, 1) if mark in text else text
        report.write_text(text, encoding="utf-8")
    return lines
