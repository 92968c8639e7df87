"""The dashboard's views as SVG, drawn from a :class:`~sim.dashboard.frame.Frame`.

- :func:`org_chart` the org chart in its layered layout, nodes coloured by the chosen metric;
  reports-to edges carrying new priorities today (a pivot travelling down) in thick purple, edges
  that decisions waiting higher up have climbed (escalations) in orange, thicker with more;
- :func:`customers` every customer as a cell coloured by satisfaction, churned ones near-black
  (a small PNG inside the SVG);
- :func:`chart` one KPI over time, twins overlaid, shocks shaded and other events marked;
- :func:`causes` friction by cause, stacked (one per organisation);
- :func:`legend` the colour scale and the edge styles.
"""

from __future__ import annotations

import base64
import io
import math
from functools import cache, lru_cache
from html import escape

import numpy as np

from . import colours as col
from .frame import CAUSE_COLUMNS, METRICS, SERIES, TILES, Frame, OrgFrame, rolling_mean, tile_label
from .svg import INK, Axes, Svg, nice_ceiling

MARK_LETTER = {"shock": "S", "pivot": "P", "leader": "L", "lever": "±", "bookmark": "⚑", "branch": "⎇"}
FLOORS = {"friction_index": 1.0, "pivots": 4.0, "escalations": 1.0, "decision_latency": 2.0,
          "approvals_waiting": 5.0, "churned": 10.0}
FIXED = {"satisfaction": (0.0, 1.0), "fatigue": (0.0, 1.0), "alignment": (0.0, 1.0), "retention": (0.0, 1.0)}


def x_limit(day: int, horizon: int) -> int:
    """The day axis grows in 60-day pages (stable while the model plays), up to the horizon."""
    return int(min(max(horizon, 1), max(60, math.ceil((day + 1) / 60) * 60)))


# -- org chart ----------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _edges(parent: bytes, px: bytes, py: bytes) -> str:
    """Path of every reports-to edge (static for an organisation: drawn once, cached)."""
    par = np.frombuffer(parent, dtype=np.int64)
    x, y = np.frombuffer(px), np.frombuffer(py)
    return "".join(f"M{x[p]:.1f} {y[p]:.1f}L{x[u]:.1f} {y[u]:.1f}" for u, p in enumerate(par.tolist()) if p >= 0)


def org_chart(frame: Frame, k: int = 0, width: float = 480, height: float = 250, projector: bool = False) -> str:
    """The org chart of organisation ``k``; ``projector``: no title (the page names the organisation
    above it), 24-unit names and the projector palette."""
    org = frame.orgs[k]
    metric = METRICS[frame.metric]
    s = Svg(width, height, label=f"org chart {org.label}, coloured by {frame.metric}", kind="org")
    if projector:
        top, side, bottom = 16, 16, 14
    else:
        if len(frame.orgs) > 1:  # the name with its line style on the charts (A solid, B dashed)
            s.line(6, 14, 34, 14, stroke=col.ORG[k], width=3.0, dash="" if k == 0 else "7 4")
            s.text(40, 20, org.label, size=19, weight="bold")
        else:
            s.text(6, 20, "Organisation", size=19, weight="bold")
        s.text(width - 6, 20, f"colour: {frame.metric}", size=15, anchor="end", fill="#333333")
        top, side, bottom = 46, 14, 12
    pos = frame.positions
    px = side + pos[:, 0] * (width - 2 * side)
    py = top + pos[:, 1] * (height - top - bottom)
    teams = int(frame.is_team.sum())
    r_team = max(3.0, min(9.0, 0.42 * (width - 2 * side) / max(teams, 1)))
    radius = np.where(frame.is_team, r_team, np.where(frame.parent < 0, 13.0, 10.0))
    s.add(f'<path d="{_edges(frame.parent.tobytes(), px.tobytes(), py.tobytes())}" stroke="#c4c4c4" '
          'stroke-width="1.5" fill="none"/>')  # quiet edges first, highlighted ones on top
    for u in np.flatnonzero(org.escalated > 0).tolist():
        p = int(frame.parent[u])
        w = 2.5 + 1.8 * math.sqrt(float(org.escalated[u]))
        s.line(px[p], py[p], px[u], py[u], stroke=col.ESCALATION_EDGE, width=min(w, 14), opacity=0.85,
               cls="escalation")
    for u in np.flatnonzero(org.relayed & (frame.parent >= 0)).tolist():
        p = int(frame.parent[u])
        s.line(px[p], py[p], px[u], py[u], stroke=col.PIVOT_EDGE, width=6, cls="pivot")
    fills = col.colours(org.values, *frame.scale, metric.good_high, palette(projector))
    for u in range(len(px)):
        ring = org.relayed[u]
        stroke, sw = (col.PIVOT_EDGE, 4.0) if ring else (INK, 1.6 if projector else 1.2)
        value = org.values[u]
        shown = "n/a" if np.isnan(value) else f"{value:.2f}"
        s.add(f'<circle cx="{px[u]:.1f}" cy="{py[u]:.1f}" r="{radius[u]:.1f}" fill="{fills[u]}" '
              f'stroke="{stroke}" stroke-width="{sw:g}" data-unit="{u}"><title>{frame.names[u]}: '
              f'{frame.metric} {shown}</title></circle>')
    for u in np.flatnonzero(frame.parent == 0).tolist()[:8]:  # division heads, named
        s.text(px[u] + radius[u] + 3, py[u] - radius[u] + (8 if projector else 0),
               frame.names[u].removeprefix("Division "), size=24 if projector else 15,
               weight="bold" if projector else "normal")
    return s.render()


def palette(projector: bool) -> str:
    return "projector" if projector else "default"


# -- customers ----------------------------------------------------------------------------------
CELL_PX = 5  # pixels per customer in the picture: 4 of colour and 1 of gap


@cache
def _grid(n: int, width: float, height: float, top: float = 30, side: float = 8) -> tuple[int, int, float]:
    """Columns, rows and cell size (SVG units) of ``n`` square cells filling the area below the
    caption, row by row (customers are grouped by their front team: a struggling team is a patch)."""
    area_w, area_h = width - 2 * side, height - top - 4
    cols = max(1, math.ceil(math.sqrt(n * area_w / area_h))) if n else 1
    rows = max(1, math.ceil(n / cols))
    return cols, rows, min(area_w / cols, area_h / rows)


@cache
def _palette(name: str = "default") -> tuple[bytes, int, int]:
    """PNG palette: the satisfaction scale, then churned, then the white background."""
    churned = col.CHURNED_PROJECTOR if name == "projector" else col.CHURNED
    hexes = [*col.ramp(True, col.LEVELS, name), churned, "#ffffff"]
    return bytes(int(h[i: i + 2], 16) for h in hexes for i in (1, 3, 5)), col.LEVELS, col.LEVELS + 1


def customer_picture(satisfaction: np.ndarray, active: np.ndarray, cols: int, rows: int,
                     palette_name: str = "default") -> bytes:
    """The customers as a small palette PNG, one CELL_PX square per customer (a few kilobytes for
    2,000 customers, where one SVG square each would send some 50 kB on every redraw)."""
    from PIL import Image

    palette, churned, blank = _palette(palette_name)
    index = np.full(rows * cols, blank, dtype=np.uint8)
    level = col.levels(satisfaction, 0.0, 1.0)
    index[: level.size] = np.where(active, np.clip(level, 0, col.LEVELS - 1), churned)
    mask = np.ones((CELL_PX, CELL_PX), dtype=bool)
    mask[-1, :] = mask[:, -1] = False
    cells = np.kron(index.reshape(rows, cols), np.ones((CELL_PX, CELL_PX), dtype=np.uint8))
    pixels = np.where(np.tile(mask, (rows, cols)), cells, blank).astype(np.uint8)
    image = Image.fromarray(pixels, mode="P")
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def customers(frame: Frame, k: int = 0, width: float = 480, height: float = 120, projector: bool = False) -> str:
    org = frame.orgs[k]
    n = org.satisfaction.size
    s = Svg(width, height, label=f"customers {org.label}", kind="customers")
    kept = int(org.active.sum())
    mean = float(org.satisfaction[org.active].mean()) if kept else 0.0
    top = 34 if projector else 30
    if projector:
        s.text(6, 25, f"Customers: {kept:,} of {n:,} stay (gaps: left)", size=24, weight="bold")
    else:
        s.text(6, 19, f"Customers: {kept:,} of {n:,} stay · satisfaction {mean:.2f}", size=17, weight="bold")
    cols, rows, cell = _grid(n, width, height, top)
    png = base64.b64encode(customer_picture(org.satisfaction, org.active, cols, rows, palette(projector))
                           ).decode("ascii")
    s.add(f'<image x="8" y="{top}" width="{cols * cell:.1f}" height="{rows * cell:.1f}" preserveAspectRatio="none" '
          f'style="image-rendering: pixelated" href="data:image/png;base64,{png}" class="customers" '
          f'data-churned="{n - kept}" data-columns="{cols}"/>')
    return s.render()


# -- legend -------------------------------------------------------------------------------------
def legend(frame: Frame, width: float = 480, height: float = 62) -> str:
    """The node colour scale, the two highlighted edge styles and the churned-customer colour."""
    metric = METRICS[frame.metric]
    s = Svg(width, height, label="legend", kind="legend")
    lo, hi = frame.scale
    s.text(6, 19, f"{lo:g}", size=15)
    for i, c in enumerate(col.ramp(metric.good_high, 9)):
        s.rect(26 + 15 * i, 6, 15, 16, c)
    top = f"{hi:g}" + ("+" if frame.metric == "backlog" else "")
    s.text(26 + 15 * 9 + 4, 19, f"{top}  {metric.label}", size=15)
    x = 6.0
    for colour, label in ((col.PIVOT_EDGE, "pivot passed down"), (col.ESCALATION_EDGE, "escalations waiting")):
        s.line(x, 44, x + 26, 44, stroke=colour, width=6)
        s.text(x + 31, 49, label, size=15)
        x += 31 + 7.9 * len(label) + 10
    s.rect(x, 36, 16, 16, col.CHURNED)
    s.text(x + 21, 49, "churned", size=15)
    return s.render()


# -- charts -------------------------------------------------------------------------------------
def visible_marks(frame: Frame, xmax: float) -> list:
    """The marks to draw: those up to tomorrow (a fired intervention shows at once) inside the axis."""
    return [m for m in frame.marks if m.day <= min(frame.day + 1, xmax)]


def letter_rows(xs: list[float], gap: float) -> list[int]:
    """A row for each mark letter so that letters closer than ``gap`` do not overlap."""
    last: list[float] = []
    rows = []
    for x in xs:
        row = next((i for i, end in enumerate(last) if x - end >= gap), len(last))
        if row == len(last):
            last.append(x)
        else:
            last[row] = x
        rows.append(row)
    return rows


MARK_WORD = {"shock": "shock", "pivot": "pivot", "leader": "new leader", "bookmark": "⚑", "branch": "⎇ branch"}


def mark_text(mark) -> str:
    """What a mark says in words: the kind, or for a live move its label ("ownership 0.15 -> 0.85 (A)")."""
    if mark.kind == "lever":
        return mark.label
    who = mark.label[-4:] if mark.label.endswith((" (A)", " (B)")) else ""
    return MARK_WORD.get(mark.kind, mark.label) + who


def marks_line(marks: list, day: int, last: int = 4) -> str:
    """The latest ``marks`` up to tomorrow in words, for a caption: ``day 121 ± clarity 0.50 -> 0.80 ·
    day 90 S shock`` (the charts carry only their letters)."""
    shown = [m for m in marks if m.day <= day + 1][-last:]
    return " · ".join(f"day {m.day} {MARK_LETTER.get(m.kind, '•')} {m.label}" for m in reversed(shown))


def label_rows(xs: list[float], widths: list[float]) -> list[int]:
    """A row for each label starting at ``xs`` with ``widths`` so that labels on a row do not overlap."""
    ends: list[float] = []
    rows = []
    for x, w in zip(xs, widths, strict=True):
        row = next((i for i, end in enumerate(ends) if x >= end), len(ends))
        if row == len(ends):
            ends.append(x + w)
        else:
            ends[row] = x + w
        rows.append(row)
    return rows


def _marks(ax: Axes, frame: Frame, size: float, words: bool = False, part: str = "all") -> None:
    """Each mark as a dashed line (a shock also as a band over its days) with its letter, or with
    ``words`` its kind or live move written out (the projector's chart).  ``part``: ``lines``,
    ``texts`` or ``all`` (written-out texts go on top of the series, the lines below them)."""
    s = ax.svg
    marks = visible_marks(frame, ax.xlim[1])
    xs = [float(ax.sx(m.day)) for m in marks]
    texts = [mark_text(m) if words else MARK_LETTER.get(m.kind, "•") for m in marks]
    widths = [0.6 * size * len(t) + 8 for t in texts] if words else [size * 0.9] * len(texts)
    rows = label_rows(xs, widths) if words else letter_rows(xs, size * 0.9)
    for mark, x, row, text, w in zip(marks, xs, rows, texts, widths, strict=True):
        colour = col.MARK.get(mark.kind, "#555555")
        if part in ("all", "lines"):
            if mark.kind == "shock":
                end = min(mark.day + max(mark.duration, 1), ax.xlim[1])
                s.rect(x, ax.y0, float(ax.sx(end)) - x, ax.y1 - ax.y0, colour, opacity=0.3 if words else 0.14,
                       cls="mark mark-shock")
            s.line(x, ax.y0, x, ax.y1, stroke=colour, width=3.5 if words else 2.5, dash="6 4",
                   cls=f"mark mark-{mark.kind}")
        if part in ("all", "texts"):
            right = x + w > ax.x1
            halo = {"stroke": "#ffffff", "stroke_width": f"{size / 5:.1f}", "paint_order": "stroke"} if words else {}
            s.text(x - 4 if right else x + 4, ax.y0 + size * (1 + row), text, size=size, weight="bold",
                   fill=col.darker(colour) if words else colour, anchor="end" if right else "start", **halo,
                   **{"class": f"mark-text mark-text-{mark.kind}"})


def limits(name: str, frame: Frame, upto: int) -> tuple[float, float]:
    if name in FIXED:
        return FIXED[name]
    top = max((float(np.nanmax(o.series[name][: upto + 1])) for o in frame.orgs if o.series[name].size),
              default=0.0)
    return 0.0, nice_ceiling(max(top * 1.05, FLOORS.get(name, 1.0)))


def chart(frame: Frame, name: str, width: float = 300, height: float = 190, projector: bool = False) -> str:
    """One KPI over time; in twin mode A solid and B dashed on the same axes.  ``projector``: one
    wide chart, title and unit on one line, 24-unit text, marks written out, darker colours."""
    title, unit = SERIES[name]
    s = Svg(width, height, label=f"chart {name}", kind=f"chart-{name}")
    colours = col.ORG_PROJECTOR if projector else col.ORG
    size = 24 if projector else 15
    if projector:
        s.text(5, 26, f"{title} ({unit})", size=26, weight="bold")
        ax = Axes(s, 64, 40, 16, 34, (0, x_limit(frame.day, frame.horizon)), (0, 1))
    else:
        s.text(5, 19, title, size=18, weight="bold")
        s.text(5, 37, unit, size=14, fill="#333333")
        ax = Axes(s, 40, 52, 12, 24, (0, x_limit(frame.day, frame.horizon)), (0, 1))
    xmax = int(ax.xlim[1])
    ax.ylim = limits(name, frame, xmax)
    ax.frame(size=size if projector else 14, xlabel="")
    _marks(ax, frame, size, words=projector, part="lines" if projector else "all")
    for k, org in enumerate(frame.orgs):
        y = org.series[name][: xmax + 1]
        s.polyline(ax.sx(np.arange(y.size)), ax.sy(y), stroke=colours[k], width=4.5 if projector else 3.0,
                   dash="" if k == 0 else "9 5", cls=f"series org-{k}")
    if projector:
        _marks(ax, frame, size, words=True, part="texts")
    if len(frame.orgs) > 1 and projector:  # the small charts leave it to the org charts' titles
        for k, org in enumerate(frame.orgs):
            x = width - 160 + k * 80
            s.line(x, 16, x + 26, 16, stroke=colours[k], width=4.5, dash="" if k == 0 else "7 4")
            s.text(x + 30, 24, org.label.split(":")[0], size=size, weight="bold", fill=colours[k])
    return s.render()


def causes(frame: Frame, k: int = 0, width: float = 300, height: float = 190, top_value: float | None = None) -> str:
    """Friction by cause, stacked (7-day means), for organisation ``k``."""
    org = frame.orgs[k]
    s = Svg(width, height, label=f"friction by cause {org.label}", kind="chart-causes")
    who = f" ({org.label.split(':')[0]})" if len(frame.orgs) > 1 else ""
    s.text(5, 19, f"Friction by cause{who}", size=18, weight="bold")
    xmax = x_limit(frame.day, frame.horizon)
    parts = [rolling_mean(org.series[c][: xmax + 1], 7) for c in CAUSE_COLUMNS]
    stack = np.cumsum(np.vstack(parts), axis=0) if parts[0].size else np.zeros((len(parts), 0))
    if top_value is None:
        top_value = float(stack[-1].max()) if stack.size else 0.0
    ax = Axes(s, 40, 30, 12, 66, (0, xmax), (0.0, nice_ceiling(max(top_value * 1.05, 1.0))))
    ax.frame(size=14, xlabel="")
    xs = ax.sx(np.arange(stack.shape[1]))
    below = np.zeros(stack.shape[1])
    for i, column in enumerate(CAUSE_COLUMNS):
        if stack.shape[1]:
            upper = ax.sy(stack[i])
            lower = ax.sy(below)[::-1]
            s.polygon(np.concatenate([xs, xs[::-1]]), np.concatenate([upper, lower]),
                      col.CAUSE[column.removeprefix("friction_")], cls="cause")
            below = stack[i]
    _marks(ax, frame, 15)
    names = {"pivot_rework": "pivot", "decision_escalation": "escalation", "silo_handoff": "silo",
             "overload_fatigue": "overload", "misalignment": "misaligned"}
    for i, (cause, label) in enumerate(names.items()):
        row, column = divmod(i, 3)
        x, y = 5 + column * (width - 10) / 3, height - 24 + row * 19
        s.rect(x, y - 12, 13, 13, col.CAUSE[cause])
        s.text(x + 17, y, label, size=15)
    return s.render()


def cause_top(frame: Frame) -> float:
    """The common top of the cause charts in twin mode (so that the two are comparable)."""
    xmax = x_limit(frame.day, frame.horizon)
    tops = [float(np.sum([rolling_mean(o.series[c][: xmax + 1], 7) for c in CAUSE_COLUMNS], axis=0).max())
            for o in frame.orgs if o.series[CAUSE_COLUMNS[0]].size]
    return max(tops, default=0.0)


def all_views(frame: Frame) -> dict[str, str]:
    """Every view of a frame by name (what one redraw of the page costs)."""
    out: dict[str, str] = {"legend": legend(frame)}
    top = cause_top(frame)
    for k, _ in enumerate(frame.orgs):
        out[f"org-{k}"] = org_chart(frame, k)
        out[f"customers-{k}"] = customers(frame, k)
        out[f"causes-{k}"] = causes(frame, k, top_value=top)
    for name in SERIES:
        out[f"chart-{name}"] = chart(frame, name)
    return out


def grid(drawn: dict[str, str], twins: int, day: int) -> str:
    """Every view in one HTML block: org chart(s), customers and legend on the left, the charts
    two by two on the right (one block, so that a redraw is one update of one element)."""
    def box(name: str) -> str:
        return f'<div class="alignsim-view" data-testid="{name}">{drawn[name]}</div>'

    left = "".join(box(f"org-{k}") + box(f"customers-{k}") for k in range(twins)) + box("legend")
    names = [f"chart-{n}" for n in SERIES] + [f"causes-{k}" for k in range(twins)]
    right = "".join(box(n) for n in names)
    return (f'<div class="alignsim-grid" data-day="{day}"><div class="alignsim-left">{left}</div>'
            f'<div class="alignsim-right">{right}</div></div>')




# -- projector mode ------------------------------------------------------------------------------
PROJECTOR_WIDTH = 1230  # SVG units across the main area at 1280x720: one unit is at least one pixel


def _tile_value(column: str, value: float) -> str:
    return f"{value:.1f}" if TILES[column] == "mean" else f"{value:,.0f}"


def projector_grid(frame: Frame) -> str:
    """The projector screen: per organisation (A left, B right) a band naming it, number tiles,
    the org chart and the customers; below, customer friction with both organisations and every
    mark written out.  Laid out for 1280x720 with nothing below the fold, text at least 24 px."""
    n = len(frame.orgs)
    width = (PROJECTOR_WIDTH - 12 * (n - 1)) / n
    metric = METRICS[frame.metric]
    ramp = ", ".join(col.ramp(metric.good_high, 5, "projector"))
    lo, hi = frame.scale
    columns = []
    for k, org in enumerate(frame.orgs):
        who = org.label if n > 1 else "Organisation"
        tiles = "".join(
            f'<div class="pj-tile" data-testid="tile-{c}-{k}"><div class="pj-num">{_tile_value(c, org.tiles[c])}</div>'
            f'<div class="pj-label">{escape(tile_label(c))}</div></div>' for c in TILES)
        band = (f'<div class="pj-who pj-org-{k}" data-testid="who-{k}"><span>{escape(who)}</span>'
                f'<span class="pj-key">{escape(frame.metric)} {lo:g}<span class="pj-ramp" '
                f'style="background: linear-gradient(to right, {ramp})"></span>{hi:g}</span></div>')
        columns.append(
            f'<div class="pj-col" data-testid="col-{k}">{band}<div class="pj-tiles">{tiles}</div>'
            f'<div class="alignsim-view" data-testid="org-{k}">{org_chart(frame, k, width, 178, projector=True)}</div>'
            f'<div class="alignsim-view" data-testid="customers-{k}">'
            f'{customers(frame, k, width, 86, projector=True)}</div></div>')
    friction = chart(frame, "friction_index", PROJECTOR_WIDTH, 176, projector=True)
    return (f'<div class="alignsim-projector" data-day="{frame.day}"><div class="pj-cols">{"".join(columns)}</div>'
            f'<div class="alignsim-view" data-testid="chart-friction_index">{friction}</div></div>')


__all__ = ["OrgFrame", "all_views", "cause_top", "causes", "chart", "customers", "grid", "legend", "org_chart",
           "projector_grid"]
