"""Friction per hand-off: a big queue or a bad hand-off? (issue 13, item 6)

The model records, for every dependency edge (a front team handing work to a back-office team),
how many hand-offs went along it and the friction booked at them: repeated explanations,
inconsistent answers, bounce-backs (``sim/model/handoffs.py``). Everything else booked at the
receiving team (mostly delay while requests wait in its queue, and its own overload or fatigue)
is "queue" friction there. Per scenario, edge and replicate, over the window:

- volume: hand-offs along the edge;
- hand-off friction per hand-off = friction at the edge's hand-offs / hand-offs along it;
- queue friction per request received = (all friction booked at the receiving team - the friction
  of the hand-offs into it) / hand-offs it received (over all its incoming edges).

Both rates are set against the organisation's (same formula summed over all edges and all
receiving teams), as a ratio. An edge whose hand-off rate is at least ``RATIO`` times the
organisation's is a **bad hand-off** (the link itself hurts: fix the interface, the shared
priorities, the silo); a receiving team whose queue rate is at least ``RATIO`` times the
organisation's is a **big queue** (capacity or flow at the receiving team, not the link); an edge
with ordinary rates that still carries a large share of hand-off friction is **volume** (it
matters because much goes through it). Means are over replicates with 95% t intervals (rates per
replicate, then averaged; replicates without hand-offs on the edge are left out of its rates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.compare.stats import t_interval

RATIO = 1.5  # "clearly above the organisation's rate": half as much again
TOP = 8
EDGE = ["from_id", "to_id"]
NAMES = ["from_name", "from_division", "to_name", "to_division"]


def _per_replicate(hand: pd.DataFrame, prov: pd.DataFrame) -> pd.DataFrame:
    """Per (scenario, replicate, edge): hand-offs, hand-off friction, and the receiving team's
    received hand-offs and queue friction; plus the organisation's two rates per replicate."""
    edges = hand.groupby(["scenario", "replicate", *EDGE, *NAMES], sort=False)[["handoffs", "friction"]].sum()
    edges = edges.reset_index()
    into = edges.groupby(["scenario", "replicate", "to_id"])[["handoffs", "friction"]].sum()
    into.columns = ["received", "handoff_friction_in"]
    at_unit = prov.groupby(["scenario", "replicate", "id"])["friction"].sum().rename("unit_friction")
    into = into.join(at_unit.rename_axis(["scenario", "replicate", "to_id"]), how="left").fillna(0.0)
    into["queue_friction"] = (into["unit_friction"] - into["handoff_friction_in"]).clip(lower=0.0)
    edges = edges.merge(into.reset_index(), on=["scenario", "replicate", "to_id"], how="left")
    org = edges.groupby(["scenario", "replicate"]).agg(h=("handoffs", "sum"), f=("friction", "sum"))
    recv = into.groupby(["scenario", "replicate"]).agg(r=("received", "sum"), q=("queue_friction", "sum"))
    org = org.join(recv)
    org["org_handoff_rate"] = org["f"] / org["h"].where(org["h"] > 0)
    org["org_queue_rate"] = org["q"] / org["r"].where(org["r"] > 0)
    edges = edges.merge(org[["org_handoff_rate", "org_queue_rate"]].reset_index(), on=["scenario", "replicate"])
    edges["handoff_rate"] = edges["friction"] / edges["handoffs"].where(edges["handoffs"] > 0)
    edges["queue_rate"] = edges["queue_friction"] / edges["received"].where(edges["received"] > 0)
    return edges


def _mean_ci(x: pd.Series) -> tuple[float, float, float]:
    x = x.dropna().to_numpy(dtype=float)
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    i = t_interval(x)
    return i.estimate, max(i.low, 0.0), i.high  # a rate is never negative


def verdict(handoff_ratio: float, queue_ratio: float) -> str:
    bad = np.isfinite(handoff_ratio) and handoff_ratio >= RATIO
    queue = np.isfinite(queue_ratio) and queue_ratio >= RATIO
    if bad and queue:
        return "bad hand-off and big queue"
    if bad:
        return "bad hand-off"
    if queue:
        return "big queue"
    return "volume"


def handoff_table(handoffs: pd.DataFrame | None, provenance: pd.DataFrame, scenarios: list[str],
                  top: int = TOP) -> pd.DataFrame | None:
    """Per scenario, its ``top`` edges by hand-off friction plus queue friction at the receiving
    team (the friction customers meet on that path), with volume, both rates, their ratios to the
    organisation's and the verdict. None when the comparison has no hand-off records."""
    if handoffs is None or handoffs.empty:
        return None
    hand = handoffs[handoffs["period"] == "window"]
    prov = provenance[provenance["period"] == "window"] if "period" in provenance else provenance
    per = _per_replicate(hand, prov)
    rows = []
    for name in scenarios:
        mine = per[per["scenario"] == name]
        if mine.empty:
            continue
        n = mine["replicate"].nunique()
        org_h = float(mine.groupby("replicate")["org_handoff_rate"].first().mean())
        org_q = float(mine.groupby("replicate")["org_queue_rate"].first().mean())
        total = float(mine["friction"].sum()) / n
        for key, e in mine.groupby(EDGE, sort=False):
            h, h_lo, h_hi = _mean_ci(e["handoff_rate"])
            q, q_lo, q_hi = _mean_ci(e["queue_rate"])
            first = e.iloc[0]
            rows.append({
                "scenario": name, "from_id": key[0], "from_name": first["from_name"],
                "from_division": first["from_division"], "to_id": key[1], "to_name": first["to_name"],
                "to_division": first["to_division"], "cross_division": first["from_division"] != first["to_division"],
                "handoffs": float(e["handoffs"].sum()) / n, "handoff_friction": float(e["friction"].sum()) / n,
                "handoff_friction_share": float(e["friction"].sum()) / n / total if total > 0 else 0.0,
                "friction_per_handoff": h, "friction_per_handoff_low": h_lo, "friction_per_handoff_high": h_hi,
                "org_friction_per_handoff": org_h, "handoff_ratio": h / org_h if org_h > 0 else float("nan"),
                "queue_friction_per_request": q, "queue_friction_per_request_low": q_lo,
                "queue_friction_per_request_high": q_hi, "org_queue_friction_per_request": org_q,
                "queue_ratio": q / org_q if org_q > 0 else float("nan"),
                "path_friction": float(e["friction"].sum()) / n + float(e["queue_friction"].sum()) / n
                * float(e["handoffs"].sum()) / max(float(e["received"].sum()), 1e-12),
                "n": n,
            })
    if not rows:
        return None
    table = pd.DataFrame(rows)
    table["verdict"] = [verdict(h, q) for h, q in zip(table["handoff_ratio"], table["queue_ratio"], strict=True)]
    # whether the rate is above the organisation's beyond run-to-run chance (its interval's low end above it)
    table["handoff_above_clear"] = table["friction_per_handoff_low"] > table["org_friction_per_handoff"]
    table["queue_above_clear"] = table["queue_friction_per_request_low"] > table["org_queue_friction_per_request"]
    order = {s: i for i, s in enumerate(scenarios)}
    table = table.sort_values(["scenario", "path_friction"], key=lambda c: c.map(order) if c.name == "scenario" else c,
                              ascending=[True, False], kind="stable")
    table = table.groupby("scenario", sort=False).head(top).reset_index(drop=True)
    return table


def handoff_sentences(table: pd.DataFrame | None, scenarios: list[str]) -> list[str]:
    """For the reference: the path where customers meet most friction, and what kind it is."""
    if table is None or table.empty:
        return []
    ref = table[table["scenario"] == scenarios[0]]
    if ref.empty:
        return []
    r = ref.iloc[0]
    what = {"bad hand-off": "a bad hand-off: the link itself costs {h:.2g} times the organisation's friction per "
                            "hand-off",
            "big queue": "a big queue: the hand-off itself is ordinary ({h:.2g} times the organisation's friction "
                         "per hand-off) but requests wait at {to}, {q:.2g} times the organisation's queue friction "
                         "per request",
            "bad hand-off and big queue": "both a bad hand-off ({h:.2g} times the organisation's friction per "
                                          "hand-off) and a big queue at {to} ({q:.2g} times)",
            "volume": "volume: its rates are ordinary ({h:.2g} and {q:.2g} times the organisation's), it matters "
                      "because {n:,.0f} hand-offs go through it"}[r["verdict"]]
    text = what.format(h=r["handoff_ratio"], q=r["queue_ratio"], to=r["to_name"], n=r["handoffs"])
    if r["verdict"] != "volume" and not (r["handoff_above_clear"] or r["queue_above_clear"]):
        text += f" (not clear with {int(r['n'])} replicates: the interval reaches the organisation's rate)"
    bad = ref[ref["verdict"].str.contains("bad hand-off")]["from_name"].count()
    queues = ref[ref["verdict"].str.contains("big queue")]["to_name"].nunique()
    return [f"The hand-off path where customers meet most friction in {scenarios[0]} is {r['from_name']} → "
            f"{r['to_name']} ({r['handoffs']:,.0f} hand-offs per run): {text}. Among its {len(ref)} costliest "
            f"hand-off paths: bad hand-offs {bad}, receiving teams with a big queue {queues}."]
