"""How a client's KPI maps to a model output: the documented default mapping and a mapping file.

A history row says "in this period the client saw VALUE of KPI". A :class:`KpiMap` says which
column of the model's daily series (``timeseries.csv``, :mod:`sim.model.kpis`) stands for it and
how a period of days becomes one number:

    observed value  ~  scale x AGG(column over the period's days) + offset

with ``AGG`` one of ``sum`` (counts: contacts, customers lost, leavers, escalations), ``mean``
(levels and rates: satisfaction, waits, friction) or ``last`` (a stock on the period's last day).
``scale`` turns model units into the client's: for counts of customers or their contacts it is
how many real customers one simulated customer stands for; for NPS it is the crude linear reading
of satisfaction below. ``offset`` is added after scaling.

The defaults (:data:`DEFAULT_MAP`) are what the model can honestly stand for; each says why in
its ``note``. A mapping file (TOML) changes or adds KPIs::

    [kpi.contacts]
    column = "new_requests"
    how = "sum"
    scale = 250          # one simulated customer = 250 real ones
    [kpi.complaints]
    column = "friction_index"
    how = "mean"
    scale = 3.1          # complaints per month per friction unit (from the client's own records)

Any series column can also be used directly as a KPI name (``wait_p90``, ``engagement``); it is
then aggregated as the model summarises it (total -> sum, mean -> mean, final -> last), scale 1.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, replace
from pathlib import Path

from sim.errors import InputError
from sim.inputs.tomlfile import read_toml
from sim.model.kpis import kpi as kpi_declaration

HOWS = ("sum", "mean", "last")


@dataclass(frozen=True)
class KpiMap:
    name: str  # as the history names it
    column: str  # the model's series column
    how: str  # sum, mean or last over the period's days
    scale: float = 1.0
    offset: float = 0.0
    count: bool = False  # a count: negative values are refused
    note: str = ""

    def apply(self, aggregate: float) -> float:
        return self.scale * aggregate + self.offset


DEFAULT_MAP: dict[str, KpiMap] = {m.name: m for m in (
    KpiMap("contacts", "new_requests", "sum", count=True,
           note="requests customers make (calls, e-mails, visits): the model's new requests per period"),
    KpiMap("calls", "new_requests", "sum", count=True, note="same as contacts"),
    KpiMap("complaints", "friction_index", "mean",
           note="customer friction (waits, repeated explanations, inconsistent answers, escalations, bounces) "
           "per 100 customers per day; set scale = the client's complaints per friction unit"),
    KpiMap("satisfaction", "satisfaction", "mean", note="mean satisfaction of active customers, 0-1"),
    KpiMap("nps", "satisfaction", "mean", scale=200.0, offset=-100.0,
           note="crude linear reading: satisfaction 0 -> NPS -100, 0.5 -> 0, 1 -> +100"),
    KpiMap("customer_churn", "churned", "sum", count=True, note="customers lost in the period"),
    KpiMap("churn", "churned", "sum", count=True, note="same as customer_churn"),
    KpiMap("staff_attrition", "attrition", "sum", count=True, note="people who left in the period"),
    KpiMap("attrition", "attrition", "sum", count=True, note="same as staff_attrition"),
    KpiMap("escalations", "escalations", "sum", count=True, note="requests escalated up the hierarchy"),
    KpiMap("waiting_time", "wait_mean", "mean",
           note="days from request to answer of the requests finished (the model does not split handling "
           "from waiting)"),
    KpiMap("handling_time", "wait_mean", "mean", note="same as waiting_time: end-to-end days of a request"),
)}


def _series_kpi(name: str) -> KpiMap | None:
    declared = kpi_declaration(name)
    if declared is None:
        return None
    how = {"total": "sum", "mean": "mean", "final": "last"}[declared.how]
    return KpiMap(name, name, how, count=how == "sum", note=f"model column {name} ({declared.unit})")


def known_names(mapping: dict[str, KpiMap]) -> list[str]:
    return sorted(mapping)


def lookup(name: str, mapping: dict[str, KpiMap]) -> KpiMap | None:
    """The mapping of a history KPI name: the mapping's own, else a series column of that name."""
    return mapping.get(name) or _series_kpi(name)


def did_you_mean(name: str, mapping: dict[str, KpiMap]) -> str:
    close = difflib.get_close_matches(name, known_names(mapping), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _number(table: dict, key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where}.{key}", f"value {value!r} is not allowed: must be a finite number")
    return float(value)


def load_mapping(path: Path | None) -> dict[str, KpiMap]:
    """The default mapping, changed and extended by the ``[kpi.NAME]`` tables of ``path``."""
    mapping = dict(DEFAULT_MAP)
    if path is None:
        return mapping
    label = str(path)
    if not path.is_file():
        raise InputError(f"--mapping {label}", "no such file")
    raw = read_toml(path, label)
    unknown = set(raw) - {"kpi"}
    if unknown:
        raise InputError(label, f"unknown section {sorted(unknown)[0]!r}; a mapping file has [kpi.NAME] tables")
    for name, table in (raw.get("kpi") or {}).items():
        where = f"{label}: kpi.{name}"
        if not isinstance(table, dict):
            raise InputError(where, "must be a table (column, how, scale, offset)")
        extra = set(table) - {"column", "how", "scale", "offset", "count", "note"}
        if extra:
            raise InputError(f"{where}.{sorted(extra)[0]}",
                             "unknown key; allowed: column, how, scale, offset, count, note")
        base = mapping.get(name) or _series_kpi(str(table.get("column", name)))
        column = str(table.get("column", base.column if base else ""))
        if not column or kpi_declaration(column) is None:
            raise InputError(f"{where}.column", f"value {column!r} is not a column of the model's series "
                             "(see timeseries.csv of `alignsim run`)")
        how = str(table.get("how", base.how if base else "mean"))
        if how not in HOWS:
            raise InputError(f"{where}.how", f"value {how!r} is not allowed: must be one of {', '.join(HOWS)}")
        start = base if base is not None else KpiMap(name, column, how)
        mapping[name] = replace(start, name=name, column=column, how=how,
                                scale=_number(table, "scale", where, start.scale),
                                offset=_number(table, "offset", where, start.offset),
                                count=bool(table.get("count", start.count if base else how == "sum")),
                                note=str(table.get("note", start.note)))
    return mapping
