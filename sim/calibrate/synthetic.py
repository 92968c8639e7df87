"""A synthetic history: what the model itself produces at known parameter values, as a history CSV.

Used by the recovery tests (fit it back and check the truth is covered) and to rehearse a
calibration before a client's data arrive. Periods are calendar months from ``first_month``, as a
client's monthly file would have them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from sim.calibrate.mapping import KpiMap
from sim.calibrate.simulate import Period, summarise
from sim.inputs.space import set_values
from sim.runner.run import run_task


def month_periods(first: tuple[int, int], months: int) -> list[tuple[str, int, int]]:
    """(label, first day, last day) of ``months`` calendar months from ``first`` (day 1 = its 1st)."""
    out = []
    day = 1
    year, month = first
    for _ in range(months):
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        length = (nxt - dt.date(year, month, 1)).days
        out.append((f"{year:04d}-{month:02d}", day, day + length - 1))
        day += length
        year, month = nxt.year, nxt.month
    return out


def synthetic_history(params: Any, graph: Any, values: dict[str, float], kpis: Sequence[KpiMap], months: int,
                      seed: int, first: tuple[int, int] = (2025, 1)) -> str:
    """The CSV text of ``kpis`` over ``months`` months of one run at ``values`` (dotted names) and ``seed``."""
    cal = month_periods(first, months)
    steps = cal[-1][2]
    base = params.model_copy(update={"steps": steps}).model_dump()
    run_params = set_values(base, dict(values))
    series = run_task(run_params, graph, seed, steps).series
    periods = tuple(Period(m.name, m.column, m.how, a, b, m.scale, m.offset) for m in kpis for _, a, b in cal)
    labels = [label for _ in kpis for label, _, _ in cal]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["date", "kpi", "value"])
    for p, label, v in zip(periods, labels, summarise(series, periods), strict=True):
        value = round(v, 6)
        writer.writerow([label, p.kpi, int(value) if value.is_integer() else repr(value)])
    return buf.getvalue()
