"""The plain-language summary that opens a comparison report: what was compared, what changed,
how sure we are, where friction comes from and where to act first. Plain text sentences (the
report escapes them); every number comes from the analysis tables."""

from __future__ import annotations

import math

import pandas as pd

from sim.compare.business import money_sentences
from sim.compare.handoffs import handoff_sentences
from sim.compare.tables import Analysis
from sim.model.kpis import cause_label, kpi_label

SUMMARY_KPIS = ("friction_index", "satisfaction", "wait_mean", "retention", "churned", "decision_latency",
                "escalations", "alignment", "fatigue", "attrition")
MAX_CLEAR = 5
# A collapse: at least this share of the customer base lost by the window's last day. A fifth of the
# customers in a year is several times a retail bank's or insurer's usual yearly attrition (roughly
# 5-15%): at that point averages over the customers who stay (satisfaction, waits, friction per 100
# customers) describe survivors and hide what happened, so the summary says it first.
COLLAPSE_SHARE = 0.2
LOST_SHARE = "customers_lost_share"  # a series column (share of the base lost), used when the model reports it


def pct(x: float) -> str:
    """A share or change as a percentage: one decimal below 10%, none above."""
    v = abs(100 * x)
    return f"{v:.1f}%" if v < 9.95 else f"{v:.0f}%"


def signed(x: float) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "") + pct(x)


def _days(a: tuple[int, int]) -> str:
    return f"days {a[0]}-{a[1]}"


def _org(info: dict) -> str:
    org = info.get("org", {})
    where = f"the org chart {org['chart']}" if org.get("chart") else "a generated organisation"
    return (f"{where} ({org.get('teams', '?')} teams of {org.get('people', 0):,} people in "
            f"{org.get('divisions', '?')} divisions, {org.get('customers', 0):,} customers)")


def compared(a: Analysis) -> str:
    m = a.saved.manifest
    scn = m["scenarios"]
    names = [f"{s['name']} ({s['description'].rstrip('.')})" if s.get("description") else s["name"] for s in scn]
    orgs = {_org(s) for s in scn}
    on = _org(scn[0]) if len(orgs) == 1 else "their own organisations"
    n = m["replicates"]
    window = a.saved.window
    if not m.get("window_default"):
        why = " (the window set with --window)"
    elif window == (1, int(m["steps"])):
        why = " (the whole run: the default window of every comparison; --window sets another)"
    else:  # written by an older alignsim, whose default started at the first event
        why = " (from the first scheduled event to the end)"
    listing = " and ".join(names) if len(names) == 2 else "; ".join(names)
    return (f"We compared {len(scn)} scenarios on {on}: {listing}. Each ran {n} times over {m['steps']} days with "
            f"paired random seeds (replicate i of every scenario saw the same luck); the numbers below cover "
            f"{_days(window)}{why}, with {scn[0]['name']} as the reference.")


def lost_shares(a: Analysis) -> dict[str, tuple[float, float, float]]:
    """Per scenario: the share of the customer base lost by the window's last day, mean over the
    replicates with its 95% interval: the ``customers_lost_share`` column when the series has it,
    else 1 - retention (the share of the starting customers still active) on that day."""
    from sim.compare.stats import t_interval

    series = a.saved.series
    end = a.saved.window[1]
    if LOST_SHARE in series.columns:
        last = series[series["step"] == end]
        lost = last.set_index(["scenario", "replicate"])[LOST_SHARE].astype(float)
    elif "retention" in a.values.columns:
        lost = 1.0 - a.values.set_index(["scenario", "replicate"])["retention"].astype(float)
    else:
        return {}
    out = {}
    for name in a.saved.scenarios:
        if name in lost.index.get_level_values(0):
            i = t_interval(lost.loc[name].to_numpy())
            out[name] = (i.estimate, i.low, i.high)
    return out


def collapses(a: Analysis) -> list[str]:
    """A sentence per scenario that lost at least COLLAPSE_SHARE of its customers (none if none did)."""
    lost = lost_shares(a)
    ref = a.saved.scenarios[0]
    day = a.saved.window[1]
    out = []
    for name, (share, lo, hi) in lost.items():
        if not share >= COLLAPSE_SHARE:
            continue
        ci = f" (95% interval {pct(max(lo, 0.0))} to {pct(min(hi, 1.0))})" if math.isfinite(lo) else ""
        against = f", against {pct(lost[ref][0])} with {ref}" if name != ref and ref in lost else ""
        out.append(f"Collapse: with {name}, {pct(share)} of the customer base{ci} was lost by day {day}{against}. "
                   "Averages over customers (satisfaction, waits, friction per 100 customers) describe those who "
                   "stayed and understate what happened; read customers lost and retention first.")
    return out


def change_phrase(row: pd.Series) -> str:
    """E.g. 'customer friction 23% lower (95% interval 15% to 31%)'."""
    rel, lo, hi = float(row["rel"]), float(row["rel_low"]), float(row["rel_high"])
    if not math.isfinite(rel):
        return f"{row['label']} {row['diff']:+.3g} {row['unit']}"
    word = "lower" if rel < 0 else "higher"
    if not math.isfinite(lo):
        return f"{row['label']} {pct(rel)} {word} (no interval with one replicate)"
    if row["clear"]:
        a, b = sorted((abs(lo), abs(hi)))
        return f"{row['label']} {pct(rel)} {word} (95% interval {pct(a)} to {pct(b)})"
    return f"{row['label']} {signed(rel)} (95% interval {signed(lo)} to {signed(hi)})"


def changes(a: Analysis) -> list[str]:
    """One sentence per scenario after the first: the clear changes first, then the rest."""
    scenarios = a.saved.scenarios
    ref, n, window = scenarios[0], a.saved.manifest["replicates"], a.saved.window
    out = []
    table = a.kpi_table.set_index(["scenario", "kpi"])
    unreached = a.saved.manifest.get("unreached") or {}  # absent from manifests written before issue 11
    for name in scenarios[1:]:
        rows = [table.loc[(name, k)] for k in SUMMARY_KPIS if (name, k) in table.index]
        clear = [r for r in rows if r["clear"]]
        unclear = [r for r in rows if not r["clear"]]
        friction = table.loc[(name, "friction_index")] if (name, "friction_index") in table.index else None
        if friction is not None and friction["clear"]:
            lead = (f"With {name}, {change_phrase(friction)} than with {ref} over {_days(window)}, "
                    f"{n} paired replicates.")
        elif friction is not None:
            lead = (f"With {name}, {friction['label']} shows no clear difference from {ref} over {_days(window)}: "
                    f"{change_phrase(friction).removeprefix(friction['label'] + ' ')}, {n} paired replicates.")
        else:
            lead = f"{name} against {ref} over {_days(window)}, {n} paired replicates."
        if name in unreached:  # issue 11 item 9: say first that the intervention reached nothing
            lead = f"With {name}: {'; '.join(unreached[name])}, so it changed nothing here. {lead}"
        others = [r for r in clear if r.name[1] != "friction_index"][:MAX_CLEAR]
        text = lead
        if others:
            text += " Also clearly changed: " + "; ".join(change_phrase(r) for r in others) + "."
        quiet = [r["label"] for r in unclear if r.name[1] != "friction_index"]
        if quiet:
            text += " No clear difference in " + ", ".join(quiet) + "."
        out.append(text)
    return out


def certainty(a: Analysis) -> str:
    n = a.saved.manifest["replicates"]
    others = a.kpi_table[a.kpi_table["scenario"] != a.saved.scenarios[0]]
    clear, total = int(others["clear"].sum()), len(others)
    if n < 2:
        return ("With a single replicate there are no intervals: the differences shown could be chance. "
                "Run with --replicates 10 or more.")
    source = ("run-to-run chance and, through the posterior draws of a calibration, the uncertainty of the fitted "
              "parameters (the uncertainty section says which dominates)" if "posterior" in a.saved.manifest
              else "run-to-run chance only")
    return (f"Each 95% interval is the range that, given the model, holds the true average effect in 95 of 100 such "
            f"studies; it reflects {source} (n = {n} paired replicates), not whether the model's "
            f"assumptions fit this organisation. An interval that includes 0 means the difference could be "
            f"chance. {clear} of {total} KPI comparisons changed clearly. Intervals narrow roughly with the square "
            f"root of the number of replicates: four times as many halves them.")


def _units(top: pd.DataFrame, name: str) -> tuple[list[str], float, str]:
    mine = top[(top["scenario"] == name) & top["top_in"].str.split(", ").map(lambda s: name in s)]
    mine = mine.sort_values("rank")
    text = "; ".join(f"{r.unit_name} ({r.division}, {pct(r.share)}, mostly {cause_label(str(r.main_cause))})"
                     for r in mine.itertuples())
    return list(mine["id"]), float(mine["share"].sum()), text


def origins(a: Analysis) -> list[str]:
    """Causes side by side; the top units of the reference and how the others' differ; the
    division whose friction changed most."""
    scenarios = a.saved.scenarios
    causes = a.causes
    totals = causes.groupby("scenario")["share"].sum()
    live = [s for s in scenarios if totals.get(s, 0.0) > 0]
    if not live:
        return ["No customer friction was booked in the window."]
    ref = causes[causes["scenario"] == live[0]].sort_values("share", ascending=False)
    by = causes.set_index(["scenario", "cause"])["share"]
    parts = []
    for cause in ref["cause"]:
        shares = [by.get((s, cause), 0.0) for s in live]
        if max(shares) < 0.005:
            continue
        parts.append(f"{cause_label(cause)} ({', '.join(pct(x) for x in shares)})")
    where = f"in {live[0]}" if len(live) == 1 else "in " + ", ".join(live[:-1]) + f" and {live[-1]} respectively"
    out = [f"Customer friction came from {', '.join(parts[:-1])} and {parts[-1]}, {where}."
           if len(parts) > 1 else f"Customer friction came from {parts[0]}, {where}."]
    top = a.top_units
    if not top.empty:
        ids, share, text = _units(top, live[0])
        lines = [f"The five units where most friction originates in {live[0]} carry {pct(share)} of it: {text}."]
        for name in live[1:]:
            other, share2, text2 = _units(top, name)
            if set(other) == set(ids):
                lines.append(f"The same five lead in {name} ({pct(share2)}).")
            else:
                lines.append(f"In {name} the five are: {text2}.")
        out.append(" ".join(lines))
    out += handoff_sentences(a.handoffs, scenarios)
    div = a.divisions
    for name in scenarios[1:]:
        mine = div[(div["scenario"] == name) & div["clear"].astype(bool)]
        if mine.empty:
            continue
        r = mine.loc[mine["friction_change"].abs().idxmax()]
        word = "fell" if r["friction_rel"] < 0 else "rose"
        a_, b_ = sorted((abs(r["friction_rel_low"]), abs(r["friction_rel_high"])))
        out.append(f"By division, the friction originated in {r['division']} changed most with {name}: it {word} "
                   f"{pct(r['friction_rel'])} (95% interval {pct(a_)} to {pct(b_)}) against {scenarios[0]}.")
    for name in scenarios[1:]:
        mine = causes[causes["scenario"] == name].set_index("cause")["share"]
        base = causes[causes["scenario"] == scenarios[0]].set_index("cause")["share"]
        delta = (mine - base.reindex(mine.index).fillna(0.0)).dropna()
        if not delta.empty and delta.abs().max() >= 0.01:
            cause = delta.abs().idxmax()
            out.append(f"The largest shift in the mix from {scenarios[0]} to {name}: {cause_label(cause)} went from "
                       f"{pct(base.get(cause, 0.0))} to {pct(mine[cause])} of friction.")
    return out


def act_first(a: Analysis) -> str | None:
    t = a.leverage
    info = a.saved.manifest.get("leverage")
    if t is None or t.empty or not info:
        return None
    delta, base, what = info["delta"], info["scenario"], kpi_label(info["kpi"])
    best = t.iloc[0]
    clear = t[t["clear"] & (t["raise_diff"] < 0)]
    k = int(best["n"])
    if clear.empty:
        return (f"Around {base}'s settings, raising any one CORE lever by {delta:g} gave no clear change in "
                f"{what} with {k} paired replicates (best: {best['lever']}, "
                f"{signed(best['raise_rel'])}); more replicates or larger steps would be needed to rank them.")
    first = clear.iloc[0]
    rest = [f"{r.lever} ({signed(r.raise_rel)})" for r in clear.iloc[1:].itertuples()]
    text = (f"Around {base}'s settings, raising {first['lever']} organisation-wide by {delta:g} "
            f"(from {first['base']:.2f} to {first['high']:.2f}) moves {what} most: "
            f"{signed(first['raise_rel'])} (95% interval {signed(first['raise_rel_low'])} to "
            f"{signed(first['raise_rel_high'])}), {k} paired replicates.")
    if rest:
        text += " Then " + ", ".join(rest) + "."
    unclear = [r.lever for r in t.itertuples() if r.lever not in set(clear["lever"])]
    if unclear:
        text += " No clear effect from raising " + ", ".join(unclear) + "."
    return text


def sections(a: Analysis) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) of the summary, in reading order."""
    out = [("What we compared", [compared(a)]), ("What changed", collapses(a) + changes(a)),
           *([("Money", money)] if (money := money_sentences(a.money, a.saved.window)) else []),
           ("How sure we are", [certainty(a)]),
           ("Where friction comes from", origins(a))]
    act = act_first(a)
    if act:
        out.append(("Where to act first", [act]))
    notes = a.saved.manifest.get("notes") or []
    if notes:
        out.append(("Notes", list(notes)))
    return out


def headline(a: Analysis) -> str:
    """The first change sentence (for the command line)."""
    found = changes(a)
    return found[0] if found else compared(a)
