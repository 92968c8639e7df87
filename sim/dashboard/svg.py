"""Minimal SVG building blocks: a document with a viewBox, text, lines, polylines and axes.

Hand-written rather than a plotting library because the live page redraws every view on every
step: building a few kilobytes of SVG text takes about a millisecond, the browser draws it
crisply at any projector resolution, and tests can read what was drawn.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK = "#111111"
GRID = "#d9d9d9"


def fmt(x: float) -> str:
    """A coordinate with one decimal."""
    return f"{x:.1f}"


def points(xs: np.ndarray, ys: np.ndarray) -> str:
    """``x,y x,y ...`` with one decimal, formatted in one call (this runs on every redraw)."""
    xy = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)]).ravel()
    return ("%.1f,%.1f " * (xy.size // 2) % tuple(xy.tolist())).rstrip()


def nice_ceiling(x: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= x (x > 0)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= x * (1 - 1e-9):
            return step * power
    return 10.0 * power


def ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    step = nice_ceiling((hi - lo) / n) if hi > lo else 1.0
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def tick_label(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}" if abs(v - round(v)) > 1e-9 else f"{round(v):d}"


class Svg:
    """An SVG document built as a list of element strings."""

    def __init__(self, width: float, height: float, label: str = "", kind: str = ""):
        self.width, self.height = width, height
        self.parts: list[str] = []
        self.label, self.kind = label, kind

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, content: str, size: float = 16, anchor: str = "start",
             weight: str = "normal", fill: str = INK, **attrs: str) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
        self.add(f'<text x="{fmt(x)}" y="{fmt(y)}" font-size="{fmt(size)}" text-anchor="{anchor}" '
                 f'font-weight="{weight}" fill="{fill}"{extra}>{escape(content)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = INK, width: float = 1.0,
             dash: str = "", opacity: float = 1.0, cls: str = "") -> None:
        extra = (f' stroke-dasharray="{dash}"' if dash else "") + (f' opacity="{opacity:g}"' if opacity < 1 else "")
        extra += f' class="{cls}"' if cls else ""
        self.add(f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" stroke="{stroke}" '
                 f'stroke-width="{fmt(width)}"{extra}/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0,
             cls: str = "", stroke: str = "none") -> None:
        extra = (f' opacity="{opacity:g}"' if opacity < 1 else "") + (f' class="{cls}"' if cls else "")
        self.add(f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}" fill="{fill}" '
                 f'stroke="{stroke}"{extra}/>')

    def polyline(self, xs: np.ndarray, ys: np.ndarray, stroke: str, width: float = 2.5, dash: str = "",
                 cls: str = "") -> None:
        if len(xs) == 0:
            return
        extra = (f' stroke-dasharray="{dash}"' if dash else "") + (f' class="{cls}"' if cls else "")
        self.add(f'<polyline points="{points(xs, ys)}" fill="none" stroke="{stroke}" stroke-width="{fmt(width)}" '
                 f'stroke-linejoin="round"{extra}/>')

    def polygon(self, xs: np.ndarray, ys: np.ndarray, fill: str, cls: str = "") -> None:
        extra = f' class="{cls}"' if cls else ""
        self.add(f'<polygon points="{points(xs, ys)}" fill="{fill}" stroke="none"{extra}/>')

    def render(self) -> str:
        data = f' data-kind="{escape(self.kind)}"' if self.kind else ""
        label = f' aria-label="{escape(self.label)}" role="img"' if self.label else ""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {fmt(self.width)} {fmt(self.height)}" '
                f'width="100%" font-family="{FONT}"{data}{label}>' + "".join(self.parts) + "</svg>")


class Axes:
    """A plotting area inside an :class:`Svg`: data (x, y) to SVG coordinates, axes and ticks."""

    def __init__(self, svg: Svg, left: float, top: float, right: float, bottom: float,
                 xlim: tuple[float, float], ylim: tuple[float, float]):
        self.svg = svg
        self.x0, self.y0, self.x1, self.y1 = left, top, svg.width - right, svg.height - bottom
        self.xlim, self.ylim = xlim, ylim

    def sx(self, x):
        lo, hi = self.xlim
        return self.x0 + (np.asarray(x, dtype=float) - lo) / (hi - lo or 1.0) * (self.x1 - self.x0)

    def sy(self, y):
        lo, hi = self.ylim
        y = np.clip(np.asarray(y, dtype=float), lo, hi)
        return self.y1 - (y - lo) / (hi - lo or 1.0) * (self.y1 - self.y0)

    def frame(self, size: float = 14, xlabel: str = "day") -> None:
        s = self.svg
        for v in ticks(*self.ylim, n=3):
            y = float(self.sy(v))
            s.line(self.x0, y, self.x1, y, stroke=GRID, width=1)
            s.text(self.x0 - 6, y + size * 0.35, tick_label(v), size=size, anchor="end")
        for v in ticks(*self.xlim, n=4):
            x = float(self.sx(v))
            s.line(x, self.y1, x, self.y1 + 5, width=1.5)
            text = tick_label(v)
            inside = x + 0.32 * size * len(text) <= s.width  # a label at the right edge ends there
            s.text(x if inside else s.width - 1, self.y1 + 5 + size, text, size=size,
                   anchor="middle" if inside else "end")
        s.line(self.x0, self.y1, self.x1, self.y1, width=1.5)
        s.line(self.x0, self.y0, self.x0, self.y1, width=1.5)
        if xlabel:
            s.text(self.x1, self.y1 + 5 + size, xlabel, size=size * 0.9, anchor="end", fill="#444444")
