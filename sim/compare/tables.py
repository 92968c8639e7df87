"""The report's tables, computed from saved results only (so that ``alignsim report`` gives the
same tables as ``alignsim compare``), and their CSV files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.compare import attribution, business, handoffs, leverage
from sim.compare.stats import kpi_table, kpis_for, replicate_values
from sim.compare.store import Saved
from sim.model.kpis import Kpi

CSV_FILES = {
    "kpis": "kpis.csv",
    "replicates": "kpi_replicates.csv",
    "causes": "attribution_causes.csv",
    "divisions": "attribution_divisions.csv",
    "top_units": "attribution_top_units.csv",
    "leverage": "leverage.csv",
    "seeds": "seeds.csv",
    "business": "kpis_business.csv",
    "business_replicates": "business_replicates.csv",
    "money": "money.csv",
    "handoffs": "attribution_handoffs.csv",
}


@dataclass
class Analysis:
    saved: Saved
    kpis: list[Kpi]
    values: pd.DataFrame  # per (scenario, replicate): each KPI over the window
    kpi_table: pd.DataFrame
    causes: pd.DataFrame
    divisions: pd.DataFrame
    units: pd.DataFrame
    top_units: pd.DataFrame
    leverage: pd.DataFrame | None
    seeds: pd.DataFrame
    business_values: pd.DataFrame | None = None  # per (scenario, replicate): business KPIs and money parts
    business: pd.DataFrame | None = None  # the KPI table in business units
    money: pd.DataFrame | None = None  # net value, return and break-even per scenario (None: no costs given)
    handoffs: pd.DataFrame | None = None  # friction per hand-off path: bad hand-off or big queue


def analyse(saved: Saved) -> Analysis:
    scenarios = saved.scenarios
    series = saved.series
    kpis = kpis_for([c for c in series.columns if c not in ("scenario", "replicate", "seed", "step")])
    values = replicate_values(series, saved.window, keys=("scenario", "replicate", "seed"), kpis=kpis)
    order = {s: i for i, s in enumerate(scenarios)}
    values = values.sort_values(["scenario", "replicate"], key=lambda c: c.map(order) if c.name == "scenario" else c,
                                ignore_index=True)
    runs = values[["scenario", "replicate"]]
    prov = saved.provenance
    units = attribution.unit_shares(prov, runs, scenarios)
    lev_table = None
    info = saved.manifest.get("leverage")
    if info and saved.leverage is not None:
        base = values[values["scenario"] == info["scenario"]][["replicate", info["kpi"]]]
        lev_table = leverage.leverage_table(base, saved.leverage, info["levels"], info["kpi"], info["delta"])
    seeds = pd.DataFrame(saved.manifest["seeds"])
    seeds["spawn_key"] = seeds["spawn_key"].map(lambda k: ";".join(str(x) for x in k))
    seeds.insert(0, "root_seed", saved.manifest["root_seed"])
    bvalues = business.replicate_business(series, saved.manifest, saved.window) if not series.empty else None
    return Analysis(
        business_values=bvalues, business=business.business_table(bvalues, scenarios) if bvalues is not None else None,
        money=business.money_table(bvalues, saved.manifest) if bvalues is not None else None,
        handoffs=handoffs.handoff_table(saved.handoffs, prov, scenarios),
        saved=saved, kpis=kpis, values=values, kpi_table=kpi_table(values, scenarios, kpis),
        causes=attribution.cause_shares(prov, runs, scenarios),
        divisions=attribution.division_shares(prov, runs, scenarios),
        units=units, top_units=attribution.top_units(units, scenarios), leverage=lev_table, seeds=seeds,
    )


def write_csvs(a: Analysis, folder: Path) -> dict[str, Path]:
    tables = {"kpis": a.kpi_table, "replicates": a.values, "causes": a.causes, "divisions": a.divisions,
              "top_units": a.top_units, "leverage": a.leverage, "seeds": a.seeds, "business": a.business,
              "business_replicates": a.business_values, "money": a.money, "handoffs": a.handoffs}
    written = {}
    for key, table in tables.items():
        if table is None:
            continue
        path = folder / CSV_FILES[key]
        table.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
        written[CSV_FILES[key]] = path
    return written
