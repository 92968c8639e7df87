"""The summary page as one 16:9 slide (``summary-slide.png``, 1920 x 1080, and ``summary-slide.pdf``):
the title, what was compared, the headline of each comparison (a collapse first), the money
line when costs were given, where to act first, and the change chart of the key KPIs, for a
leadership deck. Every sentence comes from :mod:`sim.report.compare_summary` (and the money
summary), so the slide says what the report says."""

from __future__ import annotations

import io
import textwrap

from matplotlib.figure import Figure

from sim.compare.tables import Analysis
from sim.report import compare_figures as figures
from sim.report import compare_summary as summary

SLIDE_KPIS = ("friction_index", "satisfaction", "wait_mean", "retention", "churned", "decision_latency", "fatigue")
SIZE = (16, 9)  # inches: 16:9; at DPI the PNG is 1920 x 1080
DPI = 120
WRAP = 72  # characters per line of the text column


def _lead(sentence: str) -> str:
    """The first clause of a 'What changed' sentence (the others are in the report)."""
    for cut in (" Also clearly changed:", " No clear difference in "):
        sentence = sentence.split(cut)[0]
    return sentence


def slide_lines(a: Analysis, money: list[str] | None = None) -> list[tuple[str, str]]:
    """(kind, text) lines of the slide's text column: kind is ``alert``, ``head`` or ``text``."""
    lines: list[tuple[str, str]] = [("alert", c) for c in summary.collapses(a)]
    lines += [("head", "What changed")] + [("text", _lead(c)) for c in summary.changes(a)]
    if money:
        lines += [("head", "Money")] + [("text", m) for m in money]
    act = summary.act_first(a)
    if act:
        lines += [("head", "Where to act first"), ("text", act.split(" Then ")[0])]
    return lines


def slide_figure(a: Analysis, money: list[str] | None = None) -> Figure:
    m = a.saved.manifest
    scenarios = a.saved.scenarios
    fig = Figure(figsize=SIZE)
    fig.text(0.03, 0.95, f"What-if: {' vs '.join(scenarios)}", fontsize=24, weight="bold", va="top")
    w = a.saved.window
    fig.text(0.03, 0.885, f"{m['replicates']} paired replicates per scenario · days {w[0]}-{w[1]} of {m['steps']} · "
             f"reference: {scenarios[0]} · 95% intervals", fontsize=13, color="0.35", va="top")
    y = 0.82
    for kind, text in slide_lines(a, money):
        if y < 0.06:
            break
        if kind == "head":
            y -= 0.012
            fig.text(0.03, y, text, fontsize=15, weight="bold", va="top", color="#1d2330")
            y -= 0.045
            continue
        wrapped = textwrap.fill(text, WRAP)
        color = "#b3261e" if kind == "alert" else "#1d2330"
        fig.text(0.03, y, wrapped, fontsize=12.5, va="top", color=color, weight="bold" if kind == "alert" else None,
                 linespacing=1.3)
        y -= 0.034 * (wrapped.count("\n") + 1) + 0.018
    ax = fig.add_axes((0.72, 0.30, 0.25, 0.52))
    if not figures.draw_changes(ax, a.kpi_table, scenarios, SLIDE_KPIS, fontsize=11, compact=True):
        ax.set_axis_off()
    fig.text(0.03, 0.02, "alignsim: a mechanism model of the organisation, not a forecast; intervals show "
             "run-to-run chance only. Details: report.html", fontsize=10, color="0.4")
    return fig


def slide_files(a: Analysis, money: list[str] | None = None) -> dict[str, bytes]:
    """``summary-slide.png`` and ``summary-slide.pdf`` as bytes."""
    fig = slide_figure(a, money)
    out = {}
    for ext in ("png", "pdf"):
        buf = io.BytesIO()
        meta = {"Software": None} if ext == "png" else {"Creator": None, "Producer": None, "CreationDate": None}
        fig.savefig(buf, format=ext, dpi=DPI, metadata=meta)
        out[f"summary-slide.{ext}"] = buf.getvalue()
    return out
