"""A comparison in business units and in money (issue 13, items 3 and 4).

Business units. From each replicate's daily series over the window, with the scale of the
business settings (:mod:`sim.inputs.business`; ``N`` real customers per simulated customer, ``f``
FTE per simulated team member, ``C`` simulated customers):

- customers lost = N · Σ churned; customers at the end = N · C · retention on the last day;
  share of the base lost = 1 - retention on the last day (no scale);
- friction units = Σ_days friction_index / 100 · retention · C (the index is per 100 active
  customers); contacts = N · contacts_per_friction · friction units; complaints likewise;
- FTE = f · mean headcount; FTE-days = f · Σ headcount; leavers in FTE = f · Σ leavers;
- mean wait and decision latency in days, as the model gives them.

``f`` defaults to the org chart's FTE over its whole-person headcount (fractional FTE are rounded
to whole people for the model, :mod:`sim.inputs.orgchart`), else 1.

Money, per replicate, over the window: staff cost = FTE-days · cost_per_fte_day; contact cost =
contacts · cost_per_contact; value of the customers lost = customers lost · lifetime value, or
customer-years lost within the window · value per year (a customer lost on day t forgoes
(END - t + 1) / 365 years); intervention cost = each event's ``cost_once`` (when the run reaches
its day) plus ``cost_per_year`` pro rata over the days it runs inside the window. Each scenario's
total is their sum; the net value of a scenario against the reference is the reference's total
minus its own, paired by replicate, with its 95% t interval; its return is the net value over its
extra intervention cost (a known amount, so the interval scales). Net value is linear in the value
of a customer V: net(V) = A + B · V with B the customers (or customer-years) kept; the break-even
value is V* = -mean(A) / mean(B).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.compare.stats import kpi_table, t_interval
from sim.model.kpis import Kpi

NAN = float("nan")
YEAR = 365.0

BUSINESS_KPIS: tuple[Kpi, ...] = (
    Kpi("customers_lost", "customers lost", "customers", "total", -1),
    Kpi("customers_end", "customers at the end", "customers", "final", +1),
    Kpi("customers_lost_share", "share of the customer base lost", "share", "final", -1),
    Kpi("contacts", "customer contacts", "contacts", "total", -1),
    Kpi("complaints", "complaints", "complaints", "total", -1),
    Kpi("fte", "staff", "FTE", "mean", 0),
    Kpi("fte_days", "staff time", "FTE-days", "total", 0),
    Kpi("leavers_fte", "leavers", "FTE", "total", -1),
    Kpi("wait_days", "mean wait", "days", "mean", -1),
    Kpi("decision_days", "decision latency", "days", "mean", -1),
)
MONEY_PARTS = ("staff_cost", "contact_cost", "customer_value_lost", "intervention_cost")


def settings(manifest: dict[str, Any]) -> dict[str, Any]:
    """The business settings of a comparison (defaults when it has none)."""
    from sim.inputs.business import Business

    return Business.model_validate(manifest.get("business") or {}).model_dump()


def fte_scale(b: dict[str, Any], org: dict[str, Any]) -> float:
    if b.get("fte_per_person"):
        return float(b["fte_per_person"])
    people = org.get("people") or 0
    return float(org.get("fte", people)) / people if people else 1.0


def intervention_cost(costs: list[dict[str, Any]], steps: int, window: tuple[int, int]) -> float:
    """One scenario's intervention cost over the window (each entry: step, duration, once, per_year)."""
    a, b = window
    total = 0.0
    for c in costs:
        step = int(c["step"])
        if step > steps:
            continue
        total += float(c.get("once", 0.0))
        end = b if not c.get("duration") else min(b, step + int(c["duration"]) - 1)
        days = max(0, end - max(step, a) + 1)
        total += float(c.get("per_year", 0.0)) * days / YEAR
    return total


def replicate_business(series: pd.DataFrame, manifest: dict[str, Any], window: tuple[int, int]) -> pd.DataFrame:
    """One row per (scenario, replicate): the business KPIs and the money parts (NaN where a
    setting is missing)."""
    b = settings(manifest)
    n = float(b["customers_per_simulated"])
    a, e = window
    inside = series[(series["step"] >= a) & (series["step"] <= e)].sort_values(["scenario", "replicate", "step"])
    rows = []
    for info in manifest["scenarios"]:
        name, org = info["name"], info.get("org", {})
        c = float(org.get("customers", 0))
        f = fte_scale(b, org)
        spend = intervention_cost(info.get("event_costs", []), int(manifest["steps"]), window)
        for rep, d in inside[inside["scenario"] == name].groupby("replicate", sort=True):
            def col(key: str, d: pd.DataFrame = d) -> np.ndarray:
                return d[key].to_numpy(dtype=float) if key in d else np.full(len(d), NAN)

            retention, churned = col("retention"), col("churned")
            friction = float(np.sum(col("friction_index") / 100.0 * retention * c))
            lost = n * float(np.sum(churned))
            years_lost = n * float(np.sum(churned * (e - d["step"].to_numpy() + 1) / YEAR))
            cpf, kpf = b.get("contacts_per_friction"), b.get("complaints_per_friction")
            row = {"scenario": name, "replicate": int(rep), "customers_lost": lost,
                   "customers_end": n * c * float(retention[-1]), "customers_lost_share": 1.0 - float(retention[-1]),
                   "contacts": n * cpf * friction if cpf is not None else NAN,
                   "complaints": n * kpf * friction if kpf is not None else NAN,
                   "fte": f * float(np.mean(col("headcount"))), "fte_days": f * float(np.sum(col("headcount"))),
                   "leavers_fte": f * float(np.sum(col("attrition"))), "wait_days": float(np.mean(col("wait_mean"))),
                   "decision_days": float(np.mean(col("decision_latency"))), "customer_years_lost": years_lost}
            row["staff_cost"] = row["fte_days"] * (b.get("cost_per_fte_day") or 0.0)
            row["contact_cost"] = (row["contacts"] * b["cost_per_contact"]) if b.get("cost_per_contact") else 0.0
            if b.get("customer_lifetime_value") is not None:
                row["customer_value_lost"] = lost * b["customer_lifetime_value"]
            elif b.get("customer_value_per_year") is not None:
                row["customer_value_lost"] = years_lost * b["customer_value_per_year"]
            else:
                row["customer_value_lost"] = 0.0
            row["intervention_cost"] = spend
            row["total_cost"] = sum(row[p] for p in MONEY_PARTS)
            rows.append(row)
    return pd.DataFrame(rows)


def business_table(values: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """The KPI table (as :func:`sim.compare.stats.kpi_table`) of the business KPIs that are given."""
    kpis = [k for k in BUSINESS_KPIS if k.column in values and values[k.column].notna().all()]
    return kpi_table(values, scenarios, kpis)


def _interval(x: np.ndarray) -> tuple[float, float, float]:
    i = t_interval(x)
    return i.estimate, i.low, i.high


def money_table(values: pd.DataFrame, manifest: dict[str, Any]) -> pd.DataFrame | None:
    """Per scenario: mean costs by part and in total; for the others, the net value against the
    reference (paired, 95% interval), the extra intervention cost, the return, the customers (or
    customer-years) kept and the break-even value of a customer. None without money settings."""
    b = settings(manifest)
    costed = any(info.get("event_costs") for info in manifest["scenarios"])
    if not (costed or any(b.get(k) is not None for k in ("cost_per_fte_day", "cost_per_contact",
                                                         "customer_value_per_year", "customer_lifetime_value"))):
        return None
    lifetime = b.get("customer_value_per_year") is None
    kept_col = "customers_lost" if lifetime else "customer_years_lost"
    value = b.get("customer_lifetime_value") if lifetime else b.get("customer_value_per_year")
    names = [s["name"] for s in manifest["scenarios"]]
    ref = values[values["scenario"] == names[0]].sort_values("replicate")
    rows = []
    for name in names:
        mine = values[values["scenario"] == name].sort_values("replicate")
        row: dict[str, Any] = {"scenario": name, "reference": names[0], "currency": b["currency"]}
        for part in (*MONEY_PARTS, "total_cost"):
            row[part] = float(mine[part].mean())
        if name != names[0]:
            net = ref["total_cost"].to_numpy() - mine["total_cost"].to_numpy()
            row["net_value"], row["net_low"], row["net_high"] = _interval(net)
            for part in MONEY_PARTS[:3]:
                row[f"{part}_saved"] = float((ref[part].to_numpy() - mine[part].to_numpy()).mean())
            extra = float(mine["intervention_cost"].mean() - ref["intervention_cost"].mean())
            row["extra_intervention_cost"] = extra
            if extra > 0:
                row["return"], row["return_low"], row["return_high"] = (
                    row["net_value"] / extra, row["net_low"] / extra, row["net_high"] / extra)
            else:
                row["return"] = row["return_low"] = row["return_high"] = NAN
            kept = ref[kept_col].to_numpy() - mine[kept_col].to_numpy()
            row["kept"], row["kept_low"], row["kept_high"] = _interval(kept)
            row["kept_unit"] = "customers" if lifetime else "customer-years"
            value_part = (ref["customer_value_lost"].to_numpy() - mine["customer_value_lost"].to_numpy())
            rest = float(net.mean() - value_part.mean())  # A: the net value without the customers' value
            row["net_without_customers"] = rest
            row["break_even"] = -rest / row["kept"] if row["kept"] != 0 else NAN
            row["break_even_basis"] = "lifetime value" if lifetime else "value per year"
            row["customer_value"] = NAN if value is None else float(value)
        rows.append(row)
    return pd.DataFrame(rows)


def money_text(x: float, currency: str) -> str:
    """E.g. 'EUR 1.25M', 'EUR 380k', 'EUR −12,400'."""
    if not math.isfinite(x):
        return "–"
    sign = "−" if x < 0 else ""
    v = abs(x)
    if v >= 1e6:
        body = f"{v / 1e6:.3g}M"
    elif v >= 1e5:
        body = f"{v / 1e3:.0f}k"
    else:
        body = f"{v:,.0f}"
    return f"{currency} {sign}{body}"


def money_sentences(money: pd.DataFrame | None, window: tuple[int, int]) -> list[str]:
    """One plain sentence per scenario after the reference: net value, return and break-even."""
    if money is None:
        return []
    out = []
    for r in money.iloc[1:].to_dict("records"):
        cur = r["currency"]
        text = (f"{r['scenario']} against {r['reference']} over days {window[0]}-{window[1]}: net value "
                f"{money_text(r['net_value'], cur)}")
        if math.isfinite(r["net_low"]):
            text += f" (95% interval {money_text(r['net_low'], cur)} to {money_text(r['net_high'], cur)})"
        if r["extra_intervention_cost"] > 0:
            text += f" for an intervention cost of {money_text(r['extra_intervention_cost'], cur)}"
            if math.isfinite(r["return"]):
                text += f", a return of {100 * r['return']:+.0f}%".replace("-", "−")
                if math.isfinite(r["return_low"]):
                    text += (f" ({100 * r['return_low']:+.0f}% to {100 * r['return_high']:+.0f}%)"
                             .replace("-", "−"))
        text += ". " + break_even_sentence(r)
        out.append(text)
    return out


def break_even_sentence(r: dict[str, Any]) -> str:
    cur, rest, kept, be = r["currency"], r["net_without_customers"], r["kept"], r["break_even"]
    basis = "over its lifetime" if r["break_even_basis"] == "lifetime value" else "per year"
    unit = r["kept_unit"]
    sure = math.isfinite(r["kept_low"]) and (r["kept_low"] > 0 or r["kept_high"] < 0)
    kept_text = (f"{abs(kept):,.0f} {unit} {'kept' if kept >= 0 else 'lost'} "
                 f"(95% interval {r['kept_low']:,.0f} to {r['kept_high']:,.0f}{'' if sure else ', not clear'})")
    if kept > 0 and rest < 0:
        return (f"It pays back if a customer is worth more than {money_text(be, cur)} {basis}: it costs "
                f"{money_text(-rest, cur)} before counting customers, and {kept_text}.")
    if kept > 0:
        return f"It pays back whatever a customer is worth: it saves {money_text(rest, cur)} and {kept_text}."
    if kept < 0 and rest > 0:
        return (f"It pays back only if a customer is worth less than {money_text(be, cur)} {basis}: it saves "
                f"{money_text(rest, cur)} but {kept_text}.")
    if rest >= 0:
        return f"It saves {money_text(rest, cur)} with no customers kept or lost on average."
    return f"It does not pay back at any value of a customer: it costs {money_text(-rest, cur)} and {kept_text}."
