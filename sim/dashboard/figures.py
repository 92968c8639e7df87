"""The dashboard's views drawn with matplotlib, from the same :class:`~sim.dashboard.frame.Frame`
as the live SVG views: the PNG export of the page and the frames of ``alignsim animate``.

Uses ``matplotlib.figure.Figure`` with the Agg canvas, never pyplot, so that it is safe in the
server's worker threads and leaves no global figure state behind.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from sim.model.kpis import FRICTION_CAUSES, ROLL

from . import colours as col
from .frame import METRICS, SERIES, Frame, rolling_mean
from .views import MARK_LETTER, cause_top, letter_rows, limits, marks_line, visible_marks, x_limit

KEY_CHARTS = ("friction_index", "satisfaction", "pivots", "fatigue")
ALL_CHARTS = tuple(SERIES)
STYLE = {"font.size": 13, "axes.titlesize": 14, "axes.titleweight": "bold", "axes.labelsize": 12,
         "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 11, "axes.spines.top": False,
         "axes.spines.right": False}


def _org(ax, frame: Frame, k: int) -> None:
    org = frame.orgs[k]
    metric = METRICS[frame.metric]
    pos = frame.positions.copy()
    pos[:, 1] = 1.0 - pos[:, 1]  # y up
    child = np.flatnonzero(frame.parent >= 0)
    seg = np.stack([pos[frame.parent[child]], pos[child]], axis=1)
    ax.add_collection(LineCollection(seg, colors="#c4c4c4", linewidths=1.2, zorder=1))
    esc = child[org.escalated[child] > 0]
    if esc.size:
        widths = np.minimum(2.0 + 1.5 * np.sqrt(org.escalated[esc]), 10)
        ax.add_collection(LineCollection(np.stack([pos[frame.parent[esc]], pos[esc]], axis=1),
                                         colors=col.ESCALATION_EDGE, linewidths=widths, alpha=0.85, zorder=2))
    piv = child[org.relayed[child]]
    if piv.size:
        ax.add_collection(LineCollection(np.stack([pos[frame.parent[piv]], pos[piv]], axis=1),
                                         colors=col.PIVOT_EDGE, linewidths=4.5, zorder=3))
    teams = int(frame.is_team.sum())
    size = np.where(frame.is_team, max(12.0, min(70.0, 2500.0 / max(teams, 1))), np.where(frame.parent < 0, 160, 90))
    edge = np.where(org.relayed, col.PIVOT_EDGE, "#111111")
    ax.scatter(pos[:, 0], pos[:, 1], s=size, c=col.colours(org.values, *frame.scale, metric.good_high),
               edgecolors=edge, linewidths=np.where(org.relayed, 2.5, 0.8), zorder=4)
    for u in np.flatnonzero(frame.parent == 0)[:8]:
        ax.annotate(frame.names[u].removeprefix("Division "), pos[u], xytext=(7, 5), textcoords="offset points",
                    fontsize=12)
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.08, 1.1)
    ax.set_axis_off()
    title = org.label if len(frame.orgs) > 1 else "Organisation"
    ax.set_title(f"{title} · colour: {frame.metric}", loc="left")


def _customers(ax, frame: Frame, k: int) -> None:
    org = frame.orgs[k]
    n = org.satisfaction.size
    cols = max(1, int(np.ceil(np.sqrt(n * 6))))
    rows = max(1, int(np.ceil(n / cols)))
    rgb = np.ones((rows * cols, 3))
    rgb[:n] = colormaps["RdYlBu"](np.clip(org.satisfaction, 0, 1))[:, :3]
    rgb[:n][~org.active] = to_rgb(col.CHURNED)
    ax.imshow(rgb.reshape(rows, cols, 3), aspect="auto", interpolation="nearest")
    ax.set_axis_off()
    kept = int(org.active.sum())
    mean = float(org.satisfaction[org.active].mean()) if kept else 0.0
    ax.set_title(f"Customers: {kept:,} of {n:,} stay · satisfaction {mean:.2f}", loc="left", fontsize=13)


def _marks(ax, frame: Frame, xmax: int) -> None:
    marks = visible_marks(frame, xmax)
    xs = [m.day / max(xmax, 1) for m in marks]
    for mark, row in zip(marks, letter_rows(xs, 0.03), strict=True):
        colour = col.MARK.get(mark.kind, "#555555")
        if mark.kind == "shock":
            ax.axvspan(mark.day, min(mark.day + max(mark.duration, 1), xmax), color=colour, alpha=0.12, lw=0)
        ax.axvline(mark.day, color=colour, ls="--", lw=1.6)
        ax.text(mark.day, 0.97 - 0.1 * row, " " + MARK_LETTER.get(mark.kind, "•"), transform=ax.get_xaxis_transform(),
                color=colour, fontweight="bold", va="top", fontsize=13)


def _chart(ax, frame: Frame, name: str) -> None:
    title, unit = SERIES[name]
    xmax = x_limit(frame.day, frame.horizon)
    for k, org in enumerate(frame.orgs):
        y = org.series[name][: xmax + 1]
        ax.plot(np.arange(y.size), y, color=col.ORG[k], lw=2.4, ls="-" if k == 0 else "--",
                label=org.label.split(":")[0])
    _marks(ax, frame, xmax)
    ax.set_xlim(0, xmax)
    ax.set_ylim(*limits(name, frame, xmax))
    ax.set_title(title, loc="left")
    ax.set_ylabel(unit.replace(", ", "\n"), fontsize=10)  # the smoothing on a second line



def _causes(ax, frame: Frame, k: int, top: float) -> None:
    org = frame.orgs[k]
    xmax = x_limit(frame.day, frame.horizon)
    parts = [rolling_mean(org.series[c.column][: xmax + 1], ROLL) for c in FRICTION_CAUSES]
    if parts[0].size:
        ax.stackplot(np.arange(parts[0].size), *parts, colors=[c.colour for c in FRICTION_CAUSES],
                     labels=[c.short for c in FRICTION_CAUSES])
    _marks(ax, frame, xmax)
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, max(top * 1.1, 1.0))
    who = f" ({org.label.split(':')[0]})" if len(frame.orgs) > 1 else ""
    ax.set_title(f"Friction by cause{who}", loc="left")
    # below the axes, under the day numbers: clear of the mark letters at the top
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), frameon=False, ncols=3, fontsize=9,
              borderaxespad=0.0, handlelength=1.2, columnspacing=0.8)


class Board:
    """A figure laid out once (fixed grid, no constrained layout: fast enough to redraw every
    frame of an animation) for ``twins`` organisations, the given charts and the cause charts."""

    def __init__(self, twins: int, charts: tuple[str, ...] = ALL_CHARTS, with_causes: bool = True,
                 width: float = 16.0, height: float | None = None, dpi: int = 100):
        self.charts = charts
        self.panels: list[tuple[str, int]] = [(name, -1) for name in charts]
        if with_causes:
            self.panels += [("causes", k) for k in range(twins)]
        rows = (len(self.panels) + 1) // 2
        height = height or max(9.0 if twins == 1 else 12.0, 1.7 * rows + 1.0)
        self.fig = Figure(figsize=(width, height), dpi=dpi)
        FigureCanvasAgg(self.fig)
        outer = self.fig.add_gridspec(1, 2, width_ratios=[5, 6], left=0.01, right=0.99, bottom=0.07,
                                      top=0.93, wspace=0.08)
        left = outer[0].subgridspec(2 * twins, 1, height_ratios=[2.3, 1.0] * twins, hspace=0.25)
        self.org_axes = [(self.fig.add_subplot(left[2 * k]), self.fig.add_subplot(left[2 * k + 1]))
                         for k in range(twins)]
        right = outer[1].subgridspec(rows, 2, hspace=0.75, wspace=0.3)
        self.chart_axes = [self.fig.add_subplot(right[i // 2, i % 2]) for i in range(len(self.panels))]
        self.caption = None  # the latest marks in words, under the organisations

    def draw(self, frame: Frame) -> Figure:
        """Redraw every panel for ``frame``."""
        import matplotlib

        with matplotlib.rc_context(STYLE):
            for k, (org_ax, cust_ax) in enumerate(self.org_axes):
                org_ax.clear()
                cust_ax.clear()
                _org(org_ax, frame, k)
                _customers(cust_ax, frame, k)
            top = cause_top(frame)
            for ax, (name, k) in zip(self.chart_axes, self.panels, strict=True):
                ax.clear()
                if name == "causes":
                    _causes(ax, frame, k, top)
                else:
                    _chart(ax, frame, name)
            self.fig.suptitle(f"{frame.title} · day {frame.day} of {frame.horizon}", fontsize=20,
                              fontweight="bold", x=0.01, ha="left")
            marks = marks_line(frame.marks, frame.day, last=3)
            if self.caption is None:
                self.caption = self.fig.text(0.01, 0.012, "", fontsize=11, ha="left", va="bottom", color="#222222")
            self.caption.set_text(f"Latest: {marks}" if marks else "")
            if len(frame.orgs) > 1 and not self.fig.legends:  # once, in the title row: clear of every mark
                lines = self.chart_axes[0].get_lines()[: len(frame.orgs)]
                self.fig.legend(lines, [o.label for o in frame.orgs], loc="upper right", ncols=len(frame.orgs),
                                frameon=False, fontsize=14, bbox_to_anchor=(0.99, 0.995))
        return self.fig

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", facecolor="white")
        return buffer.getvalue()


def png_bytes(frame: Frame) -> bytes:
    """The full dashboard of ``frame`` as a PNG (all charts; taller for twins)."""
    board = Board(len(frame.orgs))
    board.draw(frame)
    return board.png()
