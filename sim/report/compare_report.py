"""The comparison report: one self-contained HTML file (inline CSS, figures embedded as base64
PNG, no external URL of any kind, so it opens offline and can be mailed), plus the tables as CSV
and the figures as PNG beside it.

It opens with a plain-language summary a leadership team can read in a minute
(:mod:`sim.report.compare_summary`), then the details: KPI table, time series with bands, attribution,
leverage, and the method with the seeds and versions that make the study reproducible.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

from sim.compare import business, handoffs
from sim.compare.leverage import DESIGN
from sim.compare.stats import method_text
from sim.compare.store import Saved
from sim.compare.tables import CSV_FILES, Analysis, analyse, write_csvs
from sim.model.kpis import cause_label, kpi_label
from sim.report import compare_figures as figures
from sim.report import compare_slide
from sim.report import compare_summary as summary

REPORT = "report.html"
NAN = float("nan")
CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1200px;margin:0 auto;padding:16px;
color:#1d2330;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #dde3ea;padding-bottom:4px;
margin-top:1.8em}h3{font-size:1.05em;margin-bottom:.3em}
.sub{color:#5b6472;margin-top:0}.summary{background:#f3f6fa;border-left:5px solid #1f77b4;padding:10px 22px;
border-radius:4px}.summary h3{margin-top:.9em}.summary p{margin:.3em 0 .6em}
.tw{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;font-size:.84em;margin:.6em 0 1.2em}th,td{border-bottom:1px solid #e3e7ec;
padding:3px 6px;text-align:right;vertical-align:top;white-space:nowrap}td.l{white-space:normal;min-width:7em}
th{background:#f3f6fa;white-space:normal;max-width:11em}td.l,th.l{text-align:left}
.ci{display:block;color:#6b7380;font-size:.86em;font-weight:400}
td.good{color:#1b7a1b;font-weight:600}td.bad{color:#b3261e;font-weight:600}td.dim{color:#6b7380}
img{max-width:100%;border:1px solid #e3e7ec;border-radius:4px}nav a{margin-right:14px}
.note{color:#5b6472;font-size:.9em}code{background:#f3f6fa;padding:1px 4px;border-radius:3px}
pre{background:#f3f6fa;padding:10px;white-space:pre-wrap;font-size:.85em}
@media print{nav{display:none}h2{page-break-before:auto}}
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def num(x: float) -> str:
    """A table number: 3 significant digits, thousands separated, a dash for NaN."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return esc(x)
    if not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}".replace("-", "−")
    return f"{x:.3g}".replace("-", "−")


def interval(est: float, low: float, high: float, percent: bool = False) -> str:
    if percent:
        if not math.isfinite(est):
            return "–"
        text = summary.signed(est)
        return text if not math.isfinite(low) else (f'{text}<span class="ci">[{summary.signed(low)}, '
                                                    f"{summary.signed(high)}]</span>")
    return num(est) if not math.isfinite(low) else f'{num(est)}<span class="ci">[{num(low)}, {num(high)}]</span>'



def _img(data: bytes, alt: str) -> str:
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">'


def _table(head: list[str], rows: list[list[tuple[str, str]]], left: int = 1) -> str:
    """``rows`` of (html cell content, css class) pairs; the first ``left`` columns align left."""
    ths = "".join(f'<th class="{"l" if i < left else ""}">{h}</th>' for i, h in enumerate(head))
    body = []
    for row in rows:
        tds = "".join(f'<td class="{" ".join(c for c in (("l" if i < left else ""), cls) if c)}">{v}</td>'
                      for i, (v, cls) in enumerate(row))
        body.append(f"<tr>{tds}</tr>")
    return f'<div class="tw"><table><thead><tr>{ths}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def kpi_section(a: Analysis) -> str:
    n = a.saved.manifest["replicates"]
    return (f"<p>Mean over {n} replicates with its 95% interval in brackets; differences are paired by replicate. "
            "Green: clearly better; red: clearly worse; grey: no clear difference (the interval includes 0). "
            f'Table: <a href="{CSV_FILES["kpis"]}">{CSV_FILES["kpis"]}</a>; per replicate: '
            f'<a href="{CSV_FILES["replicates"]}">{CSV_FILES["replicates"]}</a>.</p>'
            + _kpi_rows(a.saved.scenarios, a.kpi_table, a.kpis))


def _kpi_rows(scenarios: list[str], kpi_table, kpis) -> str:
    ref = scenarios[0]
    head = ["KPI", "unit, summary over the window"] + [esc(s) for s in scenarios]
    for s in scenarios[1:]:
        head += [f"{esc(s)} − {esc(ref)}", "change"]
    rows = []
    table = kpi_table.set_index(["kpi", "scenario"])
    for k in kpis:
        row = [(esc(k.label), ""), (esc(f"{k.unit}; {k.how}"), "dim")]
        for s in scenarios:
            r = table.loc[(k.column, s)]
            row.append((interval(r["mean"], r["ci_low"], r["ci_high"]), ""))
        for s in scenarios[1:]:
            r = table.loc[(k.column, s)]
            cls = "dim"
            if r["clear"]:
                cls = "good" if r["diff"] * k.better > 0 else "bad" if k.better else ""
            row.append((interval(r["diff"], r["diff_low"], r["diff_high"]), cls))
            row.append((interval(r["rel"], r["rel_low"], r["rel_high"], percent=True), cls))
        rows.append(row)
    return _table(head, rows, 2)


def business_section(a: Analysis) -> str:
    """The KPIs in business units, with the scale that made them."""
    if a.business is None or a.business.empty:
        return "<p>Not available for this comparison.</p>"
    m = a.saved.manifest
    b = business.settings(m)
    org = m["scenarios"][0].get("org", {})
    fte = business.fte_scale(b, org)
    source = m.get("business_source")
    why = " (the org chart's FTE over its whole-person headcount)" if not b.get("fte_per_person") and fte != 1 else ""
    scale = (f"One simulated customer stands for {b['customers_per_simulated']:,g} real customers; one simulated "
             f"team member for {fte:.3g} FTE{why}. ")
    if b.get("contacts_per_friction") is None or b.get("complaints_per_friction") is None:
        scale += ("Contacts and complaints need contacts_per_friction and complaints_per_friction in the "
                  "[business] settings. ")
    where = f"Settings: {esc(source)}. " if source else ("No [business] settings were given, so customers are "
                                                          "simulated customers. ")
    kpis = [k for k in business.BUSINESS_KPIS if k.column in set(a.business["kpi"])]
    return (f"<p>{esc(scale)}{where}Totals over days {a.saved.window[0]}-{a.saved.window[1]}; method in "
            f'<code>docs/strategists.md</code>. Table: <a href="{CSV_FILES["business"]}">{CSV_FILES["business"]}</a>; '
            f'per replicate: <a href="{CSV_FILES["business_replicates"]}">{CSV_FILES["business_replicates"]}</a>.</p>'
            + _kpi_rows(a.saved.scenarios, a.business, kpis))


def money_section(a: Analysis) -> str:
    t = a.money
    if t is None:
        return ("<p>No costs were given. Add unit costs to a <code>[business]</code> table (or "
                "<code>--business FILE</code>) and <code>cost_once</code> / <code>cost_per_year</code> to the "
                "interventions' events to get each intervention's net value, return and break-even "
                "(<code>docs/strategists.md</code>).</p>")
    cur = t["currency"].iloc[0]
    rows = []
    for r in t.to_dict("records"):
        m = lambda x: business.money_text(x, cur)  # noqa: E731
        is_ref = r["scenario"] == r["reference"]
        net = "" if is_ref else f'{m(r["net_value"])}<span class="ci">[{m(r["net_low"])}, {m(r["net_high"])}]</span>'
        ret = "" if is_ref or not math.isfinite(r.get("return", NAN)) else (
            f'{100 * r["return"]:+.0f}%<span class="ci">[{100 * r["return_low"]:+.0f}%, '
            f'{100 * r["return_high"]:+.0f}%]</span>')
        cls = "" if is_ref else ("good" if r["net_low"] > 0 else "bad" if r["net_high"] < 0 else "dim")
        rows.append([(esc(r["scenario"]), ""), (m(r["staff_cost"]), ""), (m(r["contact_cost"]), ""),
                     (m(r["customer_value_lost"]), ""), (m(r["intervention_cost"]), ""), (m(r["total_cost"]), ""),
                     (net, cls), (ret, cls),
                     ("" if is_ref else m(r["break_even"]) if math.isfinite(r["break_even"]) else "–", "")])
    sentences = "".join(f"<p>{esc(x)}</p>" for x in business.money_sentences(t, a.saved.window))
    return (sentences + _table(["scenario", "staff", "contacts", "customers lost (value)", "interventions",
                                "total cost", "net value vs reference", "return", "break-even customer value"],
                               rows)
            + f'<p class="note">Costs over days {a.saved.window[0]}-{a.saved.window[1]}, mean per replicate; the net '
            "value is the reference's total cost minus the scenario's, paired by replicate, with its 95% interval; "
            "the return is the net value over the scenario's extra intervention cost; the break-even is the value of "
            "a customer at which the net value is zero. The intervals reflect run-to-run chance only, not the "
            f'uncertainty of the costs themselves. Table: <a href="{CSV_FILES["money"]}">{CSV_FILES["money"]}</a>.</p>')


def _change(r, is_reference: bool = False) -> tuple[str, str]:
    """Relative change of friction with its interval, and the cell's class (lower is better)."""
    if is_reference:
        return "", ""
    text = interval(r["friction_rel"], r["friction_rel_low"], r["friction_rel_high"], percent=True)
    return text, ("good" if r["friction_rel"] < 0 else "bad") if r["clear"] else "dim"


def attribution_section(a: Analysis, pngs: dict[str, bytes]) -> str:
    scenarios = a.saved.scenarios
    ref = scenarios[0]
    parts = [_img(pngs["attribution.png"], "friction by cause and by unit")] if "attribution.png" in pngs else []
    causes = a.causes.set_index(["cause", "scenario"])
    rows = []
    for cause in a.causes["cause"].drop_duplicates():
        row = [(esc(cause_label(cause)), "")]
        row += [(_share(causes.loc[(cause, s)]), "") for s in scenarios]
        row += [_change(causes.loc[(cause, s)]) for s in scenarios[1:]]
        rows.append(row)
    changes = [f"friction: {esc(s)} vs {esc(ref)}" for s in scenarios[1:]]
    parts.append("<h3>Share of customer friction by cause</h3>"
                 + _table(["cause", *[esc(s) for s in scenarios], *changes], rows))
    div = a.divisions
    if not div.empty:
        by = div.set_index(["division", "scenario"])
        rows = []
        for d in div["division"].drop_duplicates():
            row = [(esc(d), "")]
            row += [(f'{_share(by.loc[(d, s)])}<span class="ci">friction {num(by.loc[(d, s), "friction"])}</span>', "")
                    for s in scenarios]
            row += [_change(by.loc[(d, s)]) for s in scenarios[1:]]
            rows.append(row)
        parts.append("<h3>By division</h3><p>Share of friction [95% interval]; friction originated (friction units "
                     "over the window, mean per replicate); its paired change against the reference.</p>"
                     + _table(["division", *[esc(s) for s in scenarios], *changes], rows))
    top = a.top_units
    if not top.empty:
        rows = []
        for r in top.to_dict("records"):
            change = _change(r, r["scenario"] == ref)
            rows.append([(esc(r["unit_name"]), ""), (esc(r["division"]), ""), (esc(r["scenario"]), ""),
                         (str(r["rank"]), ""), (_share(r), ""), (num(r["friction"]), ""), change,
                         (esc(cause_label(str(r["main_cause"]))), "")])
        parts.append("<h3>The units where most friction originates</h3><p>The five largest in each scenario, and how "
                     "each fares in every scenario (rank 1 = most friction; friction originated in friction units over "
                     f"the window, mean per replicate; paired change against {esc(ref)}).</p>"
                     + _table(["unit", "division", "scenario", "rank", "share [95%]", "friction", "change",
                               "main cause"], rows, 3))
    parts.append(handoff_section(a))
    links = ", ".join(f'<a href="{CSV_FILES[k]}">{CSV_FILES[k]}</a>' for k in ("causes", "divisions", "top_units"))
    parts.append(f'<p class="note">Shares are computed per replicate from the friction provenance over the window '
                 f"and averaged; the causes' shares sum to 1. Tables: {links}.</p>")
    return "".join(parts)


def handoff_section(a: Analysis) -> str:
    """Hand-off paths: friction per hand-off and queue friction per request, against the organisation."""
    t = a.handoffs
    if t is None or t.empty:
        return ""
    rows = []
    for r in t.to_dict("records"):
        cls = "bad" if r["verdict"] != "volume" else "dim"
        rows.append([(esc(r["scenario"]), ""), (f"{esc(r['from_name'])} → {esc(r['to_name'])}", ""),
                     ("yes" if r["cross_division"] else "", ""), (num(r["handoffs"]), ""),
                     (interval(r["friction_per_handoff"], r["friction_per_handoff_low"],
                               r["friction_per_handoff_high"]), ""),
                     (f"{r['handoff_ratio']:.2f}×", "bad" if r["handoff_ratio"] >= handoffs.RATIO else ""),
                     (interval(r["queue_friction_per_request"], r["queue_friction_per_request_low"],
                               r["queue_friction_per_request_high"]), ""),
                     (f"{r['queue_ratio']:.2f}×", "bad" if r["queue_ratio"] >= handoffs.RATIO else ""),
                     (esc(r["verdict"]), cls)])
    text = "".join(f"<p>{esc(x)}</p>" for x in handoffs.handoff_sentences(t, a.saved.scenarios))
    return ("<h3>Hand-offs: a big queue or a bad hand-off?</h3>" + text
            + "<p>For each scenario, the hand-off paths (front team → back-office team) where customers meet most "
            "friction. <em>Per hand-off</em>: friction booked at the hand-offs themselves (repeated explanations, "
            "inconsistent answers, bounce-backs) per hand-off; <em>queue per request</em>: the other friction booked "
            "at the receiving team (mostly waiting) per request it received; each against the organisation's rate. "
            f"At {handoffs.RATIO:g}× or more: a bad hand-off (fix the link) or a big queue (fix the receiving team's "
            "capacity or flow); otherwise the path matters for its volume. Mean per run [95% interval].</p>"
            + _table(["scenario", "hand-off path", "across divisions", "hand-offs", "friction per hand-off",
                      "vs org", "queue friction per request", "vs org", "verdict"], rows, 2)
            + f'<p class="note">Table: <a href="{CSV_FILES["handoffs"]}">{CSV_FILES["handoffs"]}</a>.</p>')


def _share(r) -> str:
    share, lo, hi = float(r["share"]), float(r["share_low"]), float(r["share_high"])
    if not math.isfinite(lo):
        return summary.pct(share)
    return f'{summary.pct(share)}<span class="ci">[{summary.pct(max(lo, 0.0))}, {summary.pct(min(hi, 1.0))}]</span>'


def leverage_section(a: Analysis, pngs: dict[str, bytes]) -> str:
    t, info = a.leverage, a.saved.manifest.get("leverage")
    if t is None or not info:
        return "<p>Not computed for this comparison (<code>--no-leverage</code>).</p>"
    parts = [_img(pngs["leverage.png"], "leverage of each CORE lever")] if "leverage.png" in pngs else []
    rows = []
    for r in t.itertuples():
        cls = "good" if r.clear and r.raise_diff < 0 else "bad" if r.clear else "dim"
        rows.append([(str(r.rank), ""), (esc(r.lever), ""), (f"{r.base:.2f}", ""),
                     (f"{r.high:.2f}" + (" (at max)" if r.at_max else ""), ""),
                     (interval(r.raise_diff, r.raise_low, r.raise_high), cls),
                     (interval(r.raise_rel, r.raise_rel_low, r.raise_rel_high, True), cls),
                     (f"{r.low:.2f}", ""), (interval(r.lower_rel, r.lower_rel_low, r.lower_rel_high, True), ""),
                     (interval(r.slope_per_tenth, r.slope_low, r.slope_high), "")])
    parts.append(_table(["rank", "lever", "now", "raised to", "friction change", "change", "lowered to",
                         "change", "slope per +0.1"], rows, 2))
    design = esc(DESIGN)
    parts.append(f'<p class="note">Around <strong>{esc(info["scenario"])}</strong>, {info["replicates"]} paired '
                 f"replicates per variant, step ±{info['delta']:g}, KPI: {esc(kpi_label(info['kpi']))} over the "
                 "window. "
                 f'Design: {design} Table: <a href="{CSV_FILES["leverage"]}">{CSV_FILES["leverage"]}</a>.</p>')
    return "".join(parts)


def method_section(a: Analysis) -> str:
    m = a.saved.manifest
    window = a.saved.window
    rows = [[(str(s["replicate"]), ""), (esc(";".join(map(str, s["spawn_key"]))), ""), (str(s["seed"]), "")]
            for s in m["seeds"]]
    scen = "".join(f"<li><strong>{esc(s['name'])}</strong>: {esc(s.get('file') or '')}"
                   f"{' — ' + esc(s['description']) if s.get('description') else ''}</li>" for s in m["scenarios"])
    versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in m.get("versions", {}).items() if v)
    return (f"<p>{esc(method_text(m['replicates'], window))}</p><ul>{scen}</ul>"
            f"<p>Root seed {m['root_seed']}; seeding: {esc(m.get('seeding', ''))}. Replay any run alone with "
            f"<code>alignsim run SCENARIO --seed SEED --steps {m['steps']}</code>.</p>"
            + _table(["replicate", "spawn key", "seed"], rows)
            + f'<p class="note">Created {esc(m.get("created", ""))}; {m.get("jobs")} worker(s), '
            f"{esc(m.get('start_method', ''))}, {m.get('wall_s', 0):.0f} s. Versions: {versions}. "
            f"{esc(_source(m))}. Seeds: "
            f'<a href="{CSV_FILES["seeds"]}">{CSV_FILES["seeds"]}</a>. Rebuild this report from the saved data '
            "with <code>alignsim report DIR</code>.</p>")


def _source(m: dict) -> str:
    """Which alignsim made the comparison: the git revision, else the package version."""
    release = m.get("alignsim_version") or (m.get("versions") or {}).get("alignsim") or "unknown"
    if m.get("git_revision"):
        return f"alignsim {release}, git revision {m['git_revision']}"
    return f"alignsim {release} (no git checkout)"


def render(a: Analysis, pngs: dict[str, bytes]) -> str:
    m = a.saved.manifest
    scenarios = a.saved.scenarios
    title = f"What-if comparison: {' vs '.join(scenarios)}"
    summ = "".join(f"<h3>{esc(h)}</h3>" + "".join(f"<p>{esc(p)}</p>" for p in paras)
                   for h, paras in summary.sections(a))
    glance = _img(pngs["changes.png"], "changes against the reference") if "changes.png" in pngs else ""
    series = _img(pngs["timeseries.png"], "KPIs over time") if "timeseries.png" in pngs else ""
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in (("kpis", "KPIs"), ("business", "Business units"),
                                                          ("money", "Money"), ("time", "Over time"),
                                                          ("attribution", "Attribution"), ("leverage", "Leverage"),
                                                          ("method", "Method")))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{CSS}</style></head>
<body>
<h1>{esc(title)}</h1>
<p class="sub">{m['replicates']} paired replicates per scenario · days {a.saved.window[0]}-{a.saved.window[1]} of
{m['steps']} · created {esc(m.get('created', ''))} with alignsim</p>
<nav>{nav}</nav>
<section class="summary"><h2 style="border:0;margin-top:.6em">Summary</h2>{summ}</section>
{glance}
<h2 id="kpis">KPIs</h2>{kpi_section(a)}
<h2 id="business">In business units</h2>{business_section(a)}
<h2 id="money">Money</h2>{money_section(a)}
<h2 id="time">Over time</h2>{series}
<p class="note">Lines: mean over replicates of each replicate's KPI (7-day rolling mean where marked); bands: 95%
t interval over replicates. Dashed lines: events (grey when every scenario has them, else in the colour of the
scenario that has them); shaded spans: their duration; hatched: days before the analysis window.</p>
<h2 id="attribution">Where friction comes from</h2>{attribution_section(a, pngs)}
<h2 id="leverage">Leverage: where to act first</h2>{leverage_section(a, pngs)}
<h2 id="method">Method and reproducibility</h2>{method_section(a)}
</body></html>
"""


def build(saved: Saved, folder: Path) -> tuple[dict[str, Path], Analysis]:
    """Write ``report.html``, the CSV tables and the PNG figures of ``saved`` into ``folder``;
    return the files written and the analysis they show."""
    a = analyse(saved)
    written = write_csvs(a, folder)
    scenarios = saved.scenarios
    figs = {"timeseries.png": figures.timeseries_figure(saved.series, scenarios, saved.manifest),
            "changes.png": figures.change_figure(a.kpi_table, scenarios),
            "attribution.png": figures.attribution_figure(a.causes, a.top_units, scenarios)
            if not a.top_units.empty else None}
    if a.leverage is not None and not a.leverage.empty:
        info = saved.manifest["leverage"]
        figs["leverage.png"] = figures.leverage_figure(a.leverage, info["scenario"], info["delta"],
                                                         kpi_label(info["kpi"]))
    pngs = {}
    for name, fig in figs.items():
        if fig is None:
            continue
        pngs[name] = figures.png_bytes(fig)
        (folder / name).write_bytes(pngs[name])
        written[name] = folder / name
    for name, data in compare_slide.slide_files(a, business.money_sentences(a.money, a.saved.window)).items():
        (folder / name).write_bytes(data)
        written[name] = folder / name
    (folder / REPORT).write_text(render(a, pngs), encoding="utf-8")
    written[REPORT] = folder / REPORT
    return written, a

