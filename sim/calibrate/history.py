"""A client's history: a tidy CSV of KPI values per period, read and checked row by row.

Columns (header names, any order, case-insensitive): ``date`` or ``day``, ``kpi``, ``value``, and
optionally ``unit`` (kept as written, shown in the outputs). One row per KPI and period.

- ``date``: a month, ``2025-01`` or any day in it (``2025-01-31``); the value covers that calendar
  month. The earliest month of the file is the model's days 1..31 (for January), the next month
  follows, and so on, so the calibration runs as many days as the history covers.
- ``day``: the model day on which the period ends; a KPI's first period starts on day 1, each later
  one the day after the previous row of that KPI, and all of a KPI's periods have the same length.

Refused, with one line naming the row (the file's line number, the header is line 1) and the
column: a missing column, an unknown KPI (with the closest known name), a date or day that is not
one, periods out of order or given twice, a gap (a missing month, or a period longer than the
others), a value that is not a finite number, a negative count, and a KPI the scenario cannot
produce (:func:`check_producible`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.calibrate.mapping import KpiMap, did_you_mean, lookup
from sim.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class Observation:
    kpi: str
    period: str  # "2025-03" or "days 31-60"
    start: int  # first model day of the period
    end: int  # last model day
    value: float
    line: int  # the file's line number
    unit: str = ""


@dataclass
class History:
    source: str
    observations: list[Observation]  # in summary order: by KPI (first appearance), then by period
    maps: dict[str, KpiMap]  # the mapping of each KPI in the file
    by: str  # "date" or "day"
    first_month: str | None = None
    kpis: list[str] = field(default_factory=list)

    @property
    def days(self) -> int:
        return max(o.end for o in self.observations)

    @property
    def values(self) -> np.ndarray:
        return np.array([o.value for o in self.observations], dtype=float)


def _fail(source: str, line: int, column: str, problem: str) -> InputError:
    return InputError(f"{source}: row {line}, column {column}", problem)


def _month(text: str) -> tuple[int, int] | None:
    m = _MONTH.match(text.strip())
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3]) if m[3] else 1
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return year, month


def _month_days(first: tuple[int, int], month: tuple[int, int]) -> tuple[int, int, int]:
    """(index of ``month`` from ``first``, its first model day, its last model day)."""
    start = (dt.date(*month, 1) - dt.date(*first, 1)).days + 1
    nxt = dt.date(month[0] + month[1] // 12, month[1] % 12 + 1, 1)
    index = (month[0] - first[0]) * 12 + month[1] - first[1]
    return index, start, start + (nxt - dt.date(*month, 1)).days - 1


def _header(source: str, header: list[str]) -> dict[str, int]:
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    if len(names) == 1 and ";" in names[0]:
        raise _fail(source, 1, "header", "found one column; the file seems to use ';' as separator: save it with "
                    "commas (a CSV with columns date or day, kpi, value, unit)")
    cols = {n: i for i, n in enumerate(names)}
    for need in ("kpi", "value"):
        if need not in cols:
            raise _fail(source, 1, need, f"missing; the header must name date or day, kpi, value (found: "
                        f"{', '.join(names)})")
    if ("date" in cols) == ("day" in cols):
        raise _fail(source, 1, "date", "give exactly one of the columns date (months) and day (model days)")
    return cols


def read_history(path: Path, mapping: dict[str, KpiMap]) -> History:
    """Read and check ``path`` against ``mapping`` (see the module's docstring)."""
    source = str(path)
    if not path.is_file():
        raise InputError(f"--data {source}", "no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, "not UTF-8 text; save the file as UTF-8") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(source, "empty file; expected a header date or day, kpi, value")
    cols = _header(source, rows[0])
    by = "date" if "date" in cols else "day"
    parsed: list[tuple[int, str, object, float, str]] = []  # (line, kpi, when, value, unit)
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(cols):
            missing = next(n for n, i in cols.items() if i >= len(row))
            raise _fail(source, line, missing, "missing (the row has fewer cells than the header)")
        name = row[cols["kpi"]].strip()
        found = lookup(name, mapping)
        if found is None:
            raise _fail(source, line, "kpi", f"unknown KPI {name!r}{did_you_mean(name, mapping)} (known: "
                        f"{', '.join(sorted(mapping))}, or a model series column; see docs/calibration.md)")
        raw_when = row[cols[by]].strip()
        if by == "date":
            when: object = _month(raw_when)
            if when is None:
                raise _fail(source, line, "date", f"value {raw_when!r} is not a month (YYYY-MM or YYYY-MM-DD)")
        else:
            try:
                when = int(raw_when)
            except ValueError:
                raise _fail(source, line, "day", f"value {raw_when!r} is not a whole day number") from None
            if when < 1:
                raise _fail(source, line, "day", f"value {when} is not allowed: days start at 1")
        raw_value = row[cols["value"]].strip()
        if "," in raw_value:
            raise _fail(source, line, "value", f"value {raw_value!r}: write numbers with a decimal point and no "
                        "thousands separator (1234.5)")
        try:
            value = float(raw_value)
        except ValueError:
            raise _fail(source, line, "value", f"value {raw_value!r} is not a number") from None
        if not math.isfinite(value):
            raise _fail(source, line, "value", f"value {raw_value!r} is not a finite number")
        if found.count and value < 0:
            raise _fail(source, line, "value", f"value {raw_value} is not allowed: {name} is a count, must be >= 0")
        unit = row[cols["unit"]].strip() if "unit" in cols and cols["unit"] < len(row) else ""
        parsed.append((line, name, when, value, unit))
    if not parsed:
        raise InputError(source, "no data rows below the header")
    return _periods(source, by, parsed, {name: lookup(name, mapping) for _, name, *_ in parsed})


def _periods(source: str, by: str, parsed: list, maps: dict) -> History:
    by_kpi: dict[str, list] = defaultdict(list)
    for item in parsed:
        by_kpi[item[1]].append(item)
    first = min(item[2] for item in parsed) if by == "date" else None
    observations: list[Observation] = []
    for name, items in by_kpi.items():
        prev = None
        length = None
        for line, _, when, value, unit in items:
            if by == "date":
                index, start, end = _month_days(first, when)
                label = f"{when[0]:04d}-{when[1]:02d}"
                if prev is not None:
                    if index == prev:
                        raise _fail(source, line, "date", f"{name} for {label} is given twice (the history is "
                                    "monthly: one value per KPI and month)")
                    if index < prev:
                        raise _fail(source, line, "date", f"{label} is out of order: {name}'s months must increase "
                                    "down the file")
                    if index > prev + 1:
                        raise _fail(source, line, "date", f"gap before {label}: {name} has no value for the month(s) "
                                    "before it; fill the month or start the history later")
                prev = index
            else:
                start = 1 if prev is None else prev + 1
                end = int(when)
                label = f"days {start}-{end}"
                if prev is not None and end <= prev:
                    raise _fail(source, line, "day", f"day {end} is out of order or repeated: {name}'s days must "
                                "increase down the file")
                span = end - start + 1
                if length is not None and span != length:
                    what = "gap" if span > length else "uneven period"
                    raise _fail(source, line, "day", f"{what}: {name}'s periods are {length} days long, this one "
                                f"{span} ({label}); give every period")
                length = length or span
                prev = end
            observations.append(Observation(name, label, start, end, value, line, unit))
    month = f"{first[0]:04d}-{first[1]:02d}" if first else None
    return History(source, observations, maps, by, month, list(by_kpi))


def check_producible(history: History, columns: set[str], customers: int) -> None:
    """Refuse a KPI whose column the scenario's series lacks (an escalation level deeper than its
    organisation) or that needs customers when the scenario has none."""
    customer_columns = {"new_requests", "churned", "satisfaction", "friction_index", "wait_mean", "wait_p90",
                        "customers_waiting", "retention"}
    seen: set[str] = set()
    for o in history.observations:
        if o.kpi in seen:
            continue
        seen.add(o.kpi)
        column = history.maps[o.kpi].column
        if column not in columns:
            raise _fail(history.source, o.line, "kpi", f"the scenario cannot produce {o.kpi!r} (model column "
                        f"{column!r} is not in its series: its organisation is not that deep)")
        if customers == 0 and column in customer_columns:
            raise _fail(history.source, o.line, "kpi", f"the scenario cannot produce {o.kpi!r}: it has no "
                        "customers (no front-office teams or org.customers_per_front_team = 0)")
