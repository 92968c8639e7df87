"""The debrief pack of :mod:`~sim.dashboard.debrief`: one offline HTML page and 16:9 PNG slides.

The page has no network asset: its style is inline and the slides are embedded in it as data
URLs, so it opens on a laptop without internet (and can be mailed as one file); the slides are
also written beside it, one PNG each, 1600x900, for a slide deck.  Matplotlib's ``Figure`` with
the Agg canvas, never pyplot (safe in the server's threads).
"""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.model.kpis import FRICTION_CAUSES
from sim.runner.folders import replace_atomically
from sim.runner.manifest import check_out_dir

from .debrief import Debrief, move_words, rolling

SLIDE_INCHES, SLIDE_DPI = (16.0, 9.0), 100  # 1600 x 900 px, 16:9
SESSION, WITHOUT = "#0b3a8c", "#8a8a8a"  # the session deep blue, the counterfactual grey (dashed)
POINT_COLOUR = {"first_pivot": "#6a1b9a", "escalation_surge": "#c77700", "first_red": "#b0001c",
                "friction_crossed": "#111111"}
STYLE = {"font.size": 20, "axes.titlesize": 24, "axes.titleweight": "bold", "axes.labelsize": 20,
         "xtick.labelsize": 18, "ytick.labelsize": 18, "legend.fontsize": 18, "axes.spines.top": False,
         "axes.spines.right": False}


def _figure() -> Figure:
    fig = Figure(figsize=SLIDE_INCHES, dpi=SLIDE_DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _title(fig: Figure, d: Debrief, text: str) -> None:
    fig.text(0.03, 0.95, text, fontsize=34, fontweight="bold", va="top")
    fig.text(0.97, 0.95, f"{d.title} · seed {d.seed} · days 0-{d.day}", fontsize=20, va="top", ha="right",
             color="#333333")


def slide_summary(d: Debrief) -> Figure:
    fig = _figure()
    _title(fig, d, "What happened")
    lines = [(p.title, p.what) for p in d.points]
    moves = [move_words(e) for e in d.live] or ["none (the scenario ran by itself)"]
    y = 0.82
    for title, what in lines:
        fig.text(0.04, y, title, fontsize=24, fontweight="bold")
        fig.text(0.04, y - 0.05, what, fontsize=21, color="#222222")
        y -= 0.13
    fig.text(0.04, y - 0.01, f"The facilitator's moves ({len(d.live)})", fontsize=24, fontweight="bold")
    for i, words in enumerate(moves[:5]):
        fig.text(0.04, y - 0.06 - 0.045 * i, words, fontsize=21, color="#222222")
    if len(moves) > 5:
        fig.text(0.04, y - 0.06 - 0.045 * 5, f"and {len(moves) - 5} more", fontsize=21, color="#222222")
    return fig


def _points(ax, d: Debrief, with_labels: bool = True) -> None:
    for i, p in enumerate(sorted((x for x in d.points if x.day is not None), key=lambda x: x.day)):
        colour = POINT_COLOUR[p.key]
        ax.axvline(p.day, color=colour, lw=2.5, ls="--")
        if with_labels:
            ax.text(p.day, 0.98 - 0.13 * i, f" {p.title.lower()} (day {p.day})", transform=ax.get_xaxis_transform(),
                    color=colour, fontsize=17, fontweight="bold", va="top")


def slide_timeline(d: Debrief) -> Figure:
    import matplotlib

    fig = _figure()
    _title(fig, d, "Turning points")
    with matplotlib.rc_context(STYLE):
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"left": 0.08, "right": 0.97, "top": 0.84,
                                                                   "bottom": 0.09, "hspace": 0.35})
        days = np.arange(len(d.series))
        top.plot(days, rolling(d.series["friction_index"].to_numpy()), color=SESSION, lw=3.5)
        top.set_title("Customer friction (per 100 customers a day, 7-day mean)", loc="left")
        top.set_ylim(bottom=0)
        _points(top, d)
        bottom.plot(days, rolling(d.series["escalations"].to_numpy()), color=SESSION, lw=3.5, label="escalations a day")
        bottom.plot(days, np.cumsum(d.series["pivots"].to_numpy()), color=POINT_COLOUR["first_pivot"], lw=3,
                    label="pivots so far")
        bottom.set_title("Escalations (7-day mean) and pivots so far", loc="left")
        bottom.set_xlabel("day")
        bottom.set_ylim(bottom=0)
        bottom.legend(loc="upper left", frameon=False)
        _points(bottom, d, with_labels=False)
        for e in d.live:
            for ax in (top, bottom):
                ax.plot([e.step], [0], marker="^", color="#111111", markersize=14, clip_on=False,
                        transform=ax.get_xaxis_transform())
        bottom.set_xlim(0, max(len(days) - 1, 1))
    return fig


def slide_counterfactual(d: Debrief) -> Figure:
    import matplotlib

    fig = _figure()
    _title(fig, d, "Without the facilitator's moves" if d.live else "No moves: the counterfactual is the run")
    with matplotlib.rc_context(STYLE):
        left, right = fig.subplots(1, 2, gridspec_kw={"left": 0.07, "right": 0.97, "top": 0.8, "bottom": 0.3,
                                                      "wspace": 0.25})
        days = np.arange(len(d.series))
        for ax, column, title, how in ((left, "friction_index", "Customer friction (7-day mean)", rolling),
                                       (right, "churned", "Customers lost so far", np.cumsum)):
            ax.plot(days, how(d.series[column].to_numpy(dtype=float)), color=SESSION, lw=3.5, label="the session")
            ax.plot(days, how(d.counterfactual[column].to_numpy(dtype=float)), color=WITHOUT, lw=3.5, ls="--",
                    label="without the moves (same seed)")
            for e in d.live:
                ax.axvline(e.step, color="#111111", lw=1.5, ls=":")
            ax.set_title(title, loc="left")
            ax.set_xlabel("day")
            ax.set_xlim(0, max(len(days) - 1, 1))
            ax.set_ylim(bottom=0)
        left.legend(loc="upper left", frameon=False)
    shown = {"customer friction (per 100 customers a day)": "friction\n(per 100 customers a day)",
             "customers lost": "customers lost\n", "customer satisfaction (last day)": "satisfaction\n(last day)",
             "escalations a day": "escalations\na day"}
    rows = [r for r in d.outcomes if r[0] in shown]
    fig.text(0.07, 0.21, "the session vs without the moves:", fontsize=18, color="#333333")
    for i, (words, session, without, _better) in enumerate(rows):
        fig.text(0.07 + 0.23 * i, 0.1, shown[words], fontsize=18, color="#333333")
        fig.text(0.07 + 0.23 * i, 0.03, f"{session:,.2f} vs {without:,.2f}" if abs(session) < 10
                 else f"{session:,.0f} vs {without:,.0f}", fontsize=26, fontweight="bold")
    return fig


def slide_provenance(d: Debrief) -> Figure:
    import matplotlib

    fig = _figure()
    _title(fig, d, "Where friction came from")
    colours = {c.key: c.colour for c in FRICTION_CAUSES}
    with matplotlib.rc_context(STYLE):
        left, right = fig.subplots(1, 2, gridspec_kw={"left": 0.25, "right": 0.97, "top": 0.8, "bottom": 0.1,
                                                      "wspace": 0.45, "width_ratios": [3, 2]})
        causes = d.causes.iloc[::-1]
        y = np.arange(len(causes))
        left.barh(y + 0.2, causes["session"], height=0.4, color=[colours[c] for c in causes["cause"]],
                  label="the session")
        left.barh(y - 0.2, causes["without"], height=0.4, color="#d0d0d0", edgecolor="#555555",
                  label="without the moves")
        left.set_yticks(y, causes["label"])
        left.set_title("By cause (friction units)", loc="left")
        left.legend(loc="upper right", frameon=False)
        left.xaxis.set_major_locator(MaxNLocator(4))
        units = d.units.iloc[::-1]
        y = np.arange(len(units))
        right.barh(y, units["share"] * 100, color=[colours[c] for c in units["cause"]])
        right.set_yticks(y, [f"{n}" for n in units["unit_name"]])
        right.set_title("Top units (% of all)", loc="left")
        right.xaxis.set_major_locator(MaxNLocator(4))
    return fig


def slide_questions(d: Debrief) -> Figure:
    import textwrap

    fig = _figure()
    _title(fig, d, "Five questions for the room")
    y = 0.84
    for i, q in enumerate(d.questions, 1):
        lines = textwrap.wrap(q, 84)
        fig.text(0.04, y, f"{i}.", fontsize=23, fontweight="bold", va="top")
        fig.text(0.07, y, "\n".join(lines), fontsize=23, va="top", linespacing=1.3)
        y -= 0.05 * len(lines) + 0.045
    return fig


SLIDES = (("summary", slide_summary), ("turning-points", slide_timeline), ("counterfactual", slide_counterfactual),
          ("provenance", slide_provenance), ("questions", slide_questions))


def slides(d: Debrief) -> list[tuple[str, bytes]]:
    """Every slide as (file name, PNG bytes), in order."""
    return [(f"slide-{i}-{name}.png", _png(draw(d))) for i, (name, draw) in enumerate(SLIDES, 1)]


CSS = """
body { font-family: sans-serif; max-width: 1100px; margin: 24px auto; color: #111; font-size: 18px; line-height: 1.45; }
h1 { font-size: 32px; } h2 { font-size: 26px; margin-top: 36px; border-bottom: 2px solid #111; }
table { border-collapse: collapse; margin: 8px 0; }
td, th { border: 1px solid #999; padding: 4px 10px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .def { color: #333; font-size: 16px; }
img { width: 100%; border: 1px solid #999; margin: 8px 0; } ol li { margin-bottom: 10px; }
"""


def _num(x: float, sign: str = "") -> str:
    """A figure for a table: whole numbers (counts) without decimals, others with two."""
    return f"{x:{sign},.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:{sign},.2f}"


def html_page(d: Debrief, pngs: list[tuple[str, bytes]]) -> str:
    """The debrief as one HTML page with the slides embedded (no network asset)."""
    moves = "".join(f"<li>{escape(move_words(e))}</li>" for e in d.live) or "<li>none</li>"
    points = "".join(f"<tr><td>{escape(p.title)}</td><td class='num'>{p.day if p.day is not None else '—'}</td>"
                     f"<td>{escape(p.what)}<div class='def'>Defined as {escape(p.definition)}.</div></td></tr>"
                     for p in d.points)
    outcomes = "".join(f"<tr><td>{escape(w)}</td><td class='num'>{_num(s)}</td><td class='num'>{_num(c)}</td>"
                       f"<td class='num'>{_num(s - c, '+')}</td></tr>" for w, s, c, _ in d.outcomes)
    causes = "".join(f"<tr><td>{escape(r.label)}</td><td class='num'>{r.session:,.1f}</td>"
                     f"<td class='num'>{r.share:.0%}</td><td class='num'>{r.without:,.1f}</td>"
                     f"<td class='num'>{r.session - r.without:+,.1f}</td></tr>" for r in d.causes.itertuples())
    units = "".join(f"<tr><td>{escape(str(r.unit_name))}</td><td>{escape(str(r.division))}</td>"
                    f"<td>{escape(str(r.cause).replace('_', ' '))}</td><td class='num'>{r.friction:,.1f}</td>"
                    f"<td class='num'>{r.share:.0%}</td></tr>" for r in d.units.itertuples())
    divisions = "".join(f"<tr><td>{escape(str(r.division))}</td><td class='num'>{r.friction:,.1f}</td>"
                        f"<td class='num'>{r.share:.0%}</td></tr>" for r in d.divisions.itertuples())
    questions = "".join(f"<li>{escape(q)}</li>" for q in d.questions)
    images = "".join(f'<img alt="{escape(name)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
                     for name, data in pngs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Debrief: {escape(d.title)}</title><style>{CSS}</style></head>
<body>
<h1>Debrief: {escape(d.title)}</h1>
<p>Seed {d.seed}, days 0 to {d.day}, organisation {escape(d.who)}. Replayed from the saved session (exactly what the
room saw); the counterfactual is the same scenario and seed without the facilitator's moves.</p>
<h2>The facilitator's moves</h2><ul>{moves}</ul>
<h2>Turning points</h2>
<table><tr><th>turning point</th><th>day</th><th>what happened</th></tr>{points}</table>
<h2>With and without the moves</h2>
<table><tr><th>days 1-{d.day}</th><th>the session</th><th>without the moves</th><th>difference</th></tr>
{outcomes}</table>
<h2>Where friction came from</h2>
<table><tr><th>cause</th><th>friction</th><th>share</th><th>without the moves</th><th>moves added</th></tr>
{causes}</table>
<table><tr><th>unit</th><th>division</th><th>main cause</th><th>friction</th><th>share</th></tr>{units}</table>
<table><tr><th>division</th><th>friction</th><th>share</th></tr>{divisions}</table>
<h2>Five questions for the room</h2><ol>{questions}</ol>
<h2>Slides</h2>{images}
</body></html>
"""


PAGE = "debrief.html"


def is_pack(path: Path) -> bool:
    """True if the folder holds only what :func:`write_pack` writes (it may then be replaced)."""
    names = {p.name for p in path.iterdir()}
    return PAGE in names and names <= {PAGE, *(f"slide-{i}-{n}.png" for i, (n, _) in enumerate(SLIDES, 1))}


def check_pack_dir(out: Path) -> Path:
    """InputError (one line) unless ``out`` may receive a pack: absent, empty or an earlier pack."""
    return check_out_dir(out, is_pack, "exists and holds files that are not a debrief pack; "
                         "choose another folder with --out or empty it")


def write_pack(d: Debrief, out: Path) -> dict[str, Path]:
    """Write ``debrief.html`` and the slides into the folder ``out`` atomically (an earlier pack there is
    replaced once the new one is complete); returns the files."""
    check_pack_dir(out)
    pngs = slides(d)
    page = html_page(d, pngs)

    def fill(folder: Path) -> None:
        for name, data in pngs:
            (folder / name).write_bytes(data)
        (folder / PAGE).write_text(page, encoding="utf-8")

    replace_atomically(out, str(out), fill)
    return {name: out / name for name in [PAGE, *(n for n, _ in pngs)]}
