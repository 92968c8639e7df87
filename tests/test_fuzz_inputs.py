"""Fuzzing the CLI's promise about bad input (issue 9).

Scenario files, org chart CSVs, experiment files and command lines are generated from their
documented schemas (``alignsim params``, docs/orgchart.md, docs/sweeps.md, ``alignsim --help``)
and then mutated: wrong types, out of range, NaN and infinities, missing and unknown keys,
duplicate ids, cycles, huge and empty values, odd encodings. Each example runs ``sim.cli.main``
in a fresh temporary directory and must end in one of two ways:

* exit 0, with every number in every output table finite (NaN only where documented: fatigue,
  commitment and headcount of units that are not teams) and inside its documented range; or
* exit 2, with exactly one line on stderr starting ``alignsim: error:``, no traceback, and no
  file or folder written.

Runs are tiny (a few steps, a few teams). Profiles, chosen by the environment variable
``ALIGNSIM_FUZZ``:

* unset (CI): a fixed (derandomised) set of examples per input kind, well under a minute;
* ``long``: thousands of random examples per kind, to run by hand::

      ALIGNSIM_FUZZ=long python -m pytest tests/test_fuzz_inputs.py -q

(``ALIGNSIM_FUZZ_EXAMPLES=N`` sets the examples per kind, default 2000; ``ALIGNSIM_FUZZ_LOG=file``
appends one line per example: exit code, command and error line.)

No input is excluded: every hole the fuzzing found is fixed and has a regression test (here, in
``tests/test_bad_input.py`` or in ``tests/test_input_regressions.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import sim.cli
from sim.model.params import INTERVENTIONS, LEVERS, THEMES, ModelParams

PROFILE = os.environ.get("ALIGNSIM_FUZZ", "ci")
LONG = PROFILE == "long"
EXAMPLES = {"scenario": 40, "orgchart": 40, "experiment": 15, "cli": 60, "events": 25}
if LONG:
    EXAMPLES = {k: int(os.environ.get("ALIGNSIM_FUZZ_EXAMPLES", "2000")) for k in EXAMPLES}


def fuzz_settings(kind: str):
    return settings(max_examples=EXAMPLES[kind], deadline=None, derandomize=not LONG, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=True)


# -- the schema of ModelParams, walked once ---------------------------------------------------------
def _bounds(info) -> tuple[float | None, float | None]:
    meta = {type(m).__name__: m for m in info.metadata}
    return getattr(meta.get("Ge"), "ge", None), getattr(meta.get("Le"), "le", None)


def _leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any, Any]]:
    """(path, annotation, field info) of every scalar parameter of ``model`` (sections flattened)."""
    out = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _leaves(ann, (*prefix, name))
        elif name != "events":
            out.append(((*prefix, name), ann, info))
    return out


LEAVES = _leaves(ModelParams)
SECTIONS = [n for n, i in ModelParams.model_fields.items()
            if isinstance(i.annotation, type) and issubclass(i.annotation, BaseModel)]
# parameters whose size costs time: kept tiny in valid examples, only pushed out of range by mutations
COSTLY = {("steps",): (1, 4), ("org", "teams"): (1, 4), ("org", "divisions"): (1, 3), ("org", "depth"): (1, 3),
          ("org", "customers_per_front_team"): (0, 15), ("org", "customer_ties"): (0.0, 6.0),
          ("people", "hiring_delay"): (0, 30), ("signals", "review_every"): (1, 10)}
ODD_STRINGS = ["", " ", "yes", "20", "0.5", "nan", "inf", "1e999", "ünïcödé ☃", "\x00", "a" * 5000, "\u202e",
               "[1, 2]", "Division A", "../../etc/passwd", "\\x", "\ud800"]
HUGE = [10**9, 10**12, 10**30, 2**63, 2**64, -(2**63) - 1, 1e308, -1e308, 1e-308, 5e-324]
NONFINITE = [math.nan, math.inf, -math.inf]


def _base_value(rnd: random.Random, path: tuple[str, ...], ann: Any, info: Any) -> Any:
    if path in COSTLY:
        lo, hi = COSTLY[path]
        return rnd.randint(lo, hi) if isinstance(lo, int) else round(rnd.uniform(lo, hi), 3)
    lo, hi = _bounds(info)
    if ann is bool:
        return rnd.random() < 0.5
    if ann is int:
        lo = 0 if lo is None else int(lo)
        hi = lo + 100 if hi is None else int(min(hi, lo + 100))
        return rnd.randint(lo, hi)
    if ann is float:
        lo = 0.0 if lo is None else lo
        hi = lo + 10.0 if hi is None else hi
        return rnd.choice([lo, hi, round(rnd.uniform(lo, hi), 4)])
    return None  # strings, lists, dicts: handled by name


def gen_params(rnd: random.Random) -> dict[str, Any]:
    """A valid scenario as a dict (only some keys set; the rest default), tiny to run."""
    doc: dict[str, Any] = {"name": "fuzz", "steps": rnd.randint(1, 4)}
    for path, ann, info in LEAVES:
        if path in COSTLY and path != ("steps",) and rnd.random() < 0.9:
            pass  # set below for sure
        elif rnd.random() > 0.3:
            continue
        value = _base_value(rnd, path, ann, info)
        if path == ("customers", "friction_weights"):
            value = {k: round(rnd.uniform(0, 3), 3) for k in rnd.sample(
                ["delay", "explanation", "inconsistent", "escalation", "bounce"], rnd.randint(0, 5))}
        elif path == ("pressure", "timeline"):
            days = sorted(rnd.sample(range(0, 10), rnd.randint(0, 3)))
            value = [[d, round(rnd.uniform(0, 5), 2)] for d in days]
        elif path in (("name",), ("description",)):
            value = rnd.choice(["fuzz", "Fuzz scenario", "ünïcödé"])
        elif path == ("org", "chart"):
            continue
        if value is None:
            continue
        node = doc
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    org = doc.setdefault("org", {})
    org.setdefault("teams", rnd.randint(1, 4))
    org.setdefault("customers_per_front_team", rnd.randint(0, 15))
    doc["events"] = [gen_event(rnd, doc["steps"]) for _ in range(rnd.choice([0, 0, 1, 2]))]
    return doc


def gen_event(rnd: random.Random, steps: int) -> dict[str, Any]:
    kind = rnd.choice(["shock", "lever", *INTERVENTIONS])
    ev: dict[str, Any] = {"type": kind, "step": rnd.randint(1, max(1, steps - 1))}
    if kind == "shock":
        ev |= {"duration": rnd.randint(1, 5), "pressure": round(rnd.uniform(0, 5), 2)}
        if rnd.random() < 0.5:
            ev["theme"] = rnd.choice(THEMES)
    elif kind == "lever":
        ev |= {"lever": rnd.choice(LEVERS), "value": round(rnd.random(), 2), "ramp": rnd.randint(0, 3)}
    else:
        _, _, lo, hi, _ = INTERVENTIONS[kind]
        if rnd.random() < 0.5:
            ev["value"] = round(rnd.uniform(lo, hi), 2)
        if rnd.random() < 0.3:
            ev["duration"] = rnd.randint(1, 5)
    if kind != "shock" and rnd.random() < 0.3:
        ev["scope"] = rnd.choice([{}, {"division": "Division A"}, {"manager": "0"}])
    return ev


# -- mutations of nested documents --------------------------------------------------------------------
def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and list indices) into ``doc``, containers included."""
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def odd_value(rnd: random.Random, old: Any = None) -> Any:
    """A value of the wrong kind, out of any range, non-finite, huge or empty."""
    choices: list[Any] = [*NONFINITE, *HUGE, rnd.choice(ODD_STRINGS), True, False, [], {}, [1, "x"],
                          {"x": 1}, -1, 0, -0.0, 1, 0.5, 101, -1e-9, [[1, 2, 3]], [[math.nan, 1]]]
    if isinstance(old, int | float) and not isinstance(old, bool):
        choices += [old * 10 + 1, -old - 1, str(old), old + 0.5, float(old), bool(old)]
    return rnd.choice(choices)


def mutate_doc(rnd: random.Random, doc: dict[str, Any], extra_keys: list[str]) -> str:
    """Mutate ``doc`` in place once; return what was done (for the failure report)."""
    paths = _paths(doc)
    op = rnd.choice(["value", "value", "value", "delete", "unknown", "section", "duplicate"])
    if op == "value" and paths:
        path = rnd.choice(paths)
        parent = _get(doc, path[:-1])
        parent[path[-1]] = odd_value(rnd, parent[path[-1]])
        return f"set {path} = {parent[path[-1]]!r}"[:200]
    if op == "delete" and paths:
        path = rnd.choice(paths)
        parent = _get(doc, path[:-1])
        del parent[path[-1]]
        return f"deleted {path}"
    if op == "unknown":
        containers = [()] + [p for p in paths if isinstance(_get(doc, p), dict)]
        path = rnd.choice(containers)
        key = rnd.choice([*extra_keys, "bogus", "Steps", "levers ", "ünknown", ""])
        _get(doc, path)[key] = odd_value(rnd)
        return f"unknown key {key!r} at {path}"
    if op == "section":
        key = rnd.choice(extra_keys)
        doc[key] = rnd.choice([1, "x", [], [{}], {"x": {"y": 1}}, math.nan])
        return f"section {key!r} replaced"
    lists = [p for p in paths if isinstance(_get(doc, p), list) and _get(doc, p)]
    if lists:
        lst = _get(doc, rnd.choice(lists))
        lst.append(json.loads(json.dumps(lst[0], allow_nan=True)))
        return "duplicated a list entry"
    return "no-op"


# -- TOML writing (with nan/inf, which TOML allows) ------------------------------------------------
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(str(v))


def to_toml(doc: dict[str, Any]) -> str:
    lines = [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in doc.items()
             if not isinstance(v, dict) and not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines.append(f"\n[{json.dumps(str(k))}]")
            lines += [f"{json.dumps(str(kk))} = {_toml_value(vv)}" for kk, vv in v.items()]
    for k, v in doc.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                lines.append(f"\n[[{json.dumps(str(k))}]]")
                lines += [f"{json.dumps(str(kk))} = {_toml_value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


def encode(rnd: random.Random, text: str, odd: bool) -> bytes:
    """UTF-8 text, or (when ``odd``) an odd encoding or a damaged file."""
    if not odd:
        return text.encode("utf-8")
    how = rnd.choice(["bom", "utf16", "latin1", "truncate", "nul", "crlf", "garbage", "empty"])
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if how == "utf16":
        return text.encode("utf-16")
    if how == "latin1":
        return (text + "# caf\xe9\n").encode("latin-1", errors="replace")
    if how == "truncate":
        return text.encode("utf-8")[: rnd.randint(0, max(0, len(text) - 1))]
    if how == "nul":
        data = text.encode("utf-8")
        i = rnd.randint(0, len(data))
        return data[:i] + b"\x00" + data[i:]
    if how == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if how == "garbage":
        return bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
    return b""


# -- org charts --------------------------------------------------------------------------------------
COLUMNS = ["id", "name", "manager_id", "kind", "division", "office", "headcount", "depends_on"]


def gen_chart(rnd: random.Random) -> list[dict[str, str]]:
    """A valid chart: an executive, 0-3 managers, 1-5 teams (at least one front team)."""
    rows = [{"id": "ceo", "name": "Chief", "manager_id": "", "kind": "executive", "division": "", "office": "",
             "headcount": "", "depends_on": ""}]
    managers = ["ceo"]
    for i in range(rnd.randint(0, 3)):
        boss = rnd.choice(managers)
        rows.append({"id": f"m{i}", "name": rnd.choice([f"Manager {i}", "", "Ünit"]), "manager_id": boss,
                     "kind": "manager", "division": rnd.choice(["", f"Div {i}"]), "office": "",
                     "headcount": rnd.choice(["", "1"]), "depends_on": ""})
        managers.append(f"m{i}")
    teams = rnd.randint(1, 5)
    for i in range(teams):
        rows.append({"id": f"t{i}", "name": f"Team {i}", "manager_id": rnd.choice(managers), "kind": "team",
                     "division": "", "office": "front" if i == 0 else rnd.choice(["front", "back"]),
                     "headcount": str(rnd.choice([1, 2, 5, 8, 40, 100_000])) if rnd.random() < 0.9 else "8.0",
                     "depends_on": ""})
    backs = [r["id"] for r in rows if r["office"] == "back"]
    for r in rows:
        if r["office"] == "front" and backs and rnd.random() < 0.8:
            r["depends_on"] = ";".join(rnd.sample(backs, rnd.randint(1, len(backs))))
    if rnd.random() < 0.3:
        rnd.shuffle(rows)
    return rows


def mutate_chart(rnd: random.Random, rows: list[dict[str, str]], header: list[str]) -> str:
    op = rnd.choice(["cell", "cell", "cell", "duplicate", "cycle", "drop_row", "drop_column", "blank_rows",
                     "no_team", "extra_cells", "huge"])
    if op == "cell" and rows:
        r, col = rnd.choice(rows), rnd.choice(COLUMNS)
        r[col] = rnd.choice(["", " ", "0", "-3", "2.5", "nan", "inf", "1e400", "1e9", "99999999999999999999",
                             "100001", "team", "manager", "executive", "boss", "front", "back", "ceo", "t0",
                             "t0;t0", ";", "missing", "ünï", "\x00", "a,b", '"', "x" * 300, "TEAM", "Front"])
        return f"row {r['id']!r}: {col} = {r[col]!r}"
    if op == "duplicate" and rows:
        rows.append(dict(rnd.choice(rows)))
        return "duplicate row"
    if op == "cycle":
        managers = [r for r in rows if r["kind"] != "team"]
        if len(managers) >= 2:
            a, b = rnd.sample(managers, 2)
            a["manager_id"], b["manager_id"] = b["id"], a["id"]
        elif managers:
            managers[0]["manager_id"] = managers[0]["id"]
        return "cycle"
    if op == "drop_row" and rows:
        rows.remove(rnd.choice(rows))
        return "dropped a row"
    if op == "drop_column":
        col = rnd.choice(header)
        header.remove(col)
        return f"dropped column {col}"
    if op == "blank_rows":
        rows.insert(rnd.randint(0, len(rows)), dict.fromkeys(COLUMNS, ""))
        return "blank row"
    if op == "no_team":
        rows[:] = [r for r in rows if r["kind"] != "team"]
        return "no team"
    if op == "extra_cells" and rows:
        rnd.choice(rows)["__extra__"] = "surplus"
        return "cells beyond the header"
    teams = [r for r in rows if r["kind"] == "team"]
    if teams:
        rnd.choice(teams)["headcount"] = rnd.choice(["1000000000", "1e10", "1e20", "123456789012345678901234567890"])
    return "huge headcount"


def chart_csv(rnd: random.Random, rows: list[dict[str, str]], header: list[str]) -> str:
    def cell(text: str) -> str:
        return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text

    shown = [h.upper() if rnd.random() < 0.1 else h for h in header]
    lines = [",".join(shown)]
    for r in rows:
        cells = [r.get(h, "") for h in header] + ([r["__extra__"]] if "__extra__" in r else [])
        lines.append(",".join(cell(c) for c in cells))
    return "\n".join(lines) + "\n"


# -- experiments ----------------------------------------------------------------------------------
SWEEPABLE = ["levers.clarity", "levers.ownership", "levers.resilience", "levers.empathy", "pressure.baseline",
             "customers.friction_weights.delay", "org.teams", "signals.review_every", "people.hiring_delay"]
REPORTERS = ["retention", "satisfaction", "friction_index", "wait_mean", "alignment", "headcount"]
TASK_FILE = '''import math, sys
def ok(params, seed):
    return {"y": sum(params.values()) + seed % 7}
def boom(params, seed):
    raise ValueError("boom")
def nan(params, seed):
    return {"y": math.nan}
def notadict(params, seed):
    return 3
def leave(params, seed):
    sys.exit(3)
'''


def gen_experiment(rnd: random.Random) -> dict[str, Any]:
    task = rnd.choice(["core", "core", "core", "ishigami", "tasks.py:ok", "tasks.py:boom", "tasks.py:nan",
                       "tasks.py:notadict", "tasks.py:leave"])
    kind = rnd.choice(["grid", "lhs", "sobol", "morris"])
    steps = rnd.randint(1, 3)
    doc: dict[str, Any] = {"description": "fuzz", "task": task, "replicates": 1, "seed": rnd.randint(0, 2**40)}
    if task == "core":
        doc |= {"scenario": rnd.choice(["baseline", "pressure-shock"]), "steps": steps,
                "set": ["org.teams=2", "org.divisions=1", "org.customers_per_front_team=5"]}
        names = rnd.sample(SWEEPABLE, rnd.randint(1, 2))
        doc["outputs"] = {"final": rnd.sample(REPORTERS, rnd.randint(0, 2)),
                          "mean": rnd.sample(REPORTERS, rnd.randint(1, 2)), "window": [1, steps]}
    elif task == "ishigami":
        names = ["x1", "x2", "x3"]
    else:
        names = ["a", "b"]
    design: dict[str, Any] = {"kind": kind}
    if kind == "lhs":
        design["samples"] = rnd.randint(1, 2)
    elif kind == "sobol":
        design |= {"samples": 2, "second_order": False}
    elif kind == "morris":
        design |= {"samples": 2, "levels": 4}
    doc["design"] = design
    params = []
    for name in names:
        lo, hi = (0.1, 0.9) if name not in ("org.teams", "signals.review_every", "people.hiring_delay") else (1, 3)
        if task == "ishigami":
            lo, hi = -3.14, 3.14
        p: dict[str, Any] = {"name": name}
        if kind == "grid":
            p["levels"] = rnd.choice([2, [lo, hi]])
            p["range"] = [lo, hi]
        else:
            p["range"] = [lo, hi]
        params.append(p)
    if kind == "grid" and len(params) > 1:
        params = params[:1]
    doc["parameters"] = params
    return doc


# -- running the CLI and checking the promise -------------------------------------------------------
# rework_share and waste_share are "over effort" (ODD.md) and may exceed 1: work redone today can
# be older than today's effort
SHARE_COLUMNS = {"satisfaction", "retention", "alignment", "fit_to_need", "inconsistent_rate", "escalation_rate",
                 "bounce_rate", "commitment", "fatigue", "engagement",
                 "clarity", "ownership", "resilience", "empathy", "customer_bar", "share", "meeting_load",
                 "customers_waiting"}
SIGNED_COLUMNS = {"parent", "level", "unit", "step"}  # parent is -1 for the root
NAN_FOR_NON_TEAMS = {"fatigue", "commitment", "headcount"}
# names the user chose, read as text: pandas would read a division named "inf" or "1e9" as a number
TEXT_COLUMNS = {"name", "unit_name", "division", "cause", "kind", "theme", "scenario", "business_unit"}


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def run_cli(argv: list[str], cwd: Path) -> tuple[int, str, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with (contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
          warnings.catch_warnings(record=True) as caught):
        warnings.simplefilter("always")
        code = sim.cli.main(argv)
    runtime = [f"{w.category.__name__}: {w.message}" for w in caught if issubclass(w.category, RuntimeWarning)]
    return code, out.getvalue(), err.getvalue(), runtime


def check_tables(folder: Path) -> None:
    """Every CSV table below ``folder``: numbers finite (documented NaN excepted) and in range."""
    for path in folder.rglob("*.csv"):
        df = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS})
        teams = df["kind"] == "team" if "kind" in df else None
        if path.name == "unit_timeseries.csv":
            units = pd.read_csv(path.parent / "units.csv")
            team_units = set(units.loc[units["kind"] == "team", "unit"])
            teams = df["unit"].isin(team_units)
        for col in df.select_dtypes("number"):
            values = df[col].to_numpy(dtype=float)
            where = f"{path.name}: {col}"
            if col in NAN_FOR_NON_TEAMS and teams is not None:
                assert np.isfinite(values[teams.to_numpy()]).all(), where
                values = values[teams.to_numpy()]
            assert np.isfinite(values).all(), f"{where}: not finite"
            if col not in SIGNED_COLUMNS:
                assert (values >= 0).all(), f"{where}: negative {values.min()}"
            if col in SHARE_COLUMNS:
                assert (values <= 1 + 1e-9).all(), f"{where}: above 1: {values.max()}"


def check_store(folder: Path) -> None:
    """A sweep store: core runs all ok, every metric value finite."""
    for path in (folder / "metrics").glob("*.parquet"):
        values = pd.read_parquet(path)["value"].to_numpy(dtype=float)
        assert np.isfinite(values).all(), f"{path}: non-finite metric"


def check_outcome(argv: list[str], cwd: Path, note: str = "", finite_store: bool = True) -> tuple[int, str]:
    """Run ``argv`` in ``cwd`` and assert the promise; returns (exit code, stderr).

    ``finite_store``: a sweep's stored metrics must be finite (not for a run function of the user's
    that returns NaN on purpose: its outputs are its own)."""
    before = _tree(cwd)
    code, out, err, runtime = run_cli(argv, cwd)
    if os.environ.get("ALIGNSIM_FUZZ_LOG"):  # one line per example, to count a long run as it goes
        with open(os.environ["ALIGNSIM_FUZZ_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{code}\t{argv[0] if argv else ''}\t{err.strip()[:200]!r}\n")
    context = f"argv={argv} ({note})\nexit={code}\nstderr={err[-2000:]}\nstdout={out[-500:]}"
    assert "Traceback" not in err and "Traceback" not in out, context
    assert code in (0, 2), context
    if code == 2:
        lines = err.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("alignsim: error: "), context
        assert _tree(cwd) == before, f"{context}\nwritten: {sorted(_tree(cwd) - before)}"
    else:
        assert not runtime, f"{context}\nRuntimeWarnings: {runtime[:3]}"
        for new in sorted(_tree(cwd) - before):
            path = cwd / new
            if path.is_dir() and (path / "timeseries.csv").exists():
                check_tables(path)
            if finite_store and path.is_dir() and (path / "metrics").is_dir():
                check_store(path)
    return code, err


@pytest.fixture(autouse=True, scope="module")
def _cheap_figure():
    """In the CI profile the KPI figure is a blank one: matplotlib's layout is most of a tiny run's time
    and has nothing to do with input validation. The long profile draws the real figure."""
    if LONG:
        yield
        return
    from matplotlib.figure import Figure

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sim.report.figure.kpi_figure", lambda *a, **k: Figure(figsize=(1, 1)))
        yield


def _scratch():
    return tempfile.TemporaryDirectory(prefix="alignsim-fuzz-")


# -- the properties ----------------------------------------------------------------------------------
@fuzz_settings("scenario")
@given(seed=st.integers(0, 2**32 - 1), mutations=st.integers(0, 3), odd_encoding=st.booleans(),
       use_set=st.booleans())
def test_fuzz_scenario_files(seed, mutations, odd_encoding, use_set):
    rnd = random.Random(seed)
    doc = gen_params(rnd)
    notes = [mutate_doc(rnd, doc, [*SECTIONS, "events"]) for _ in range(mutations)]
    argv = ["run", "scen.toml", "--out", "out", "-q"]
    if use_set:  # the same kind of mutation, from the command line
        path = rnd.choice([p for p, _, _ in LEAVES if p != ("org", "chart")])
        value = odd_value(rnd)
        argv += ["--set", f"{'.'.join(path)}={_toml_value(value)}"]
        notes.append(f"--set {'.'.join(path)}")
    text = to_toml(doc)
    odd = odd_encoding and rnd.random() < 0.3
    with _scratch() as tmp:
        (Path(tmp) / "scen.toml").write_bytes(encode(rnd, text, odd))
        check_outcome(argv, Path(tmp), f"{notes}; encoding odd={odd}; file:\n{text[:1500]}")


@fuzz_settings("orgchart")
@given(seed=st.integers(0, 2**32 - 1), mutations=st.integers(0, 2), odd_encoding=st.booleans())
def test_fuzz_org_charts(seed, mutations, odd_encoding):
    rnd = random.Random(seed)
    rows = gen_chart(rnd)
    header = list(COLUMNS if rnd.random() < 0.7 else COLUMNS[:-1])
    if rnd.random() < 0.2:
        rnd.shuffle(header)
    notes = [mutate_chart(rnd, rows, header) for _ in range(mutations)]
    text = chart_csv(rnd, rows, header)
    odd = odd_encoding and rnd.random() < 0.3
    scenario = (f'steps = {rnd.randint(1, 3)}\n[org]\nchart = "org.csv"\n'
                f'customers_per_front_team = {rnd.randint(0, 10)}\n')
    if rnd.random() < 0.3:
        target = rnd.choice([{"division": "Div 0"}, {"manager": "m0"}, {"manager": "ceo"}, {"division": "Nowhere"}])
        scenario += ('\n[[events]]\ntype = "lever"\nstep = 1\nlever = "clarity"\nvalue = 0.9\n'
                     f'scope = {_toml_value(target)}\n')
    with _scratch() as tmp:
        (Path(tmp) / "org.csv").write_bytes(encode(rnd, text, odd))
        (Path(tmp) / "scen.toml").write_text(scenario, encoding="utf-8")
        check_outcome(["run", "scen.toml", "--out", "out", "-q"], Path(tmp),
                      f"{notes}; odd={odd}; chart:\n{text[:1500]}")


@fuzz_settings("experiment")
@given(seed=st.integers(0, 2**32 - 1), mutations=st.integers(0, 3), odd_encoding=st.booleans())
def test_fuzz_experiment_files(seed, mutations, odd_encoding):
    rnd = random.Random(seed)
    doc = gen_experiment(rnd)
    notes = [mutate_doc(rnd, doc, ["design", "outputs", "parameters", "set", "extra"]) for _ in range(mutations)]
    text = to_toml(doc)
    odd = odd_encoding and rnd.random() < 0.3
    with _scratch() as tmp:
        (Path(tmp) / "exp.toml").write_bytes(encode(rnd, text, odd))
        (Path(tmp) / "tasks.py").write_text(TASK_FILE, encoding="utf-8")
        check_outcome(["sweep", "exp.toml", "--out", "store", "--jobs", "1", "-q"], Path(tmp),
                      f"{notes}; odd={odd}; file:\n{text[:1500]}", finite_store="tasks.py:nan" not in text)


def _flag_value(rnd: random.Random, good: str) -> str:
    return rnd.choice([good, good, "", " ", "-1", "0", "nan", "inf", "1e9", "99999999999999999999999", "abc",
                       "3.5", "ünï", "--quiet", "1:2", "0:0", "5:1", "-5", "0x10", "1_0", "\x00"])


def gen_argv(rnd: random.Random, tmp: Path) -> list[str]:
    (tmp / "afile").write_text("not a folder\n", encoding="utf-8")
    command = rnd.choice(["run", "run", "run", "scenarios", "params", "sweep", "analyze", "compare", "report",
                          "animate", "workshop", "bogus", "", "--version", "-x"])
    scenario = lambda: rnd.choice(["baseline", "pressure-shock", "core-strong", "nope", "", "afile",  # noqa: E731
                                   "missing.toml", "/dev/null", ".", "baseline.toml"])
    argv = [command] if command else []
    if command == "run":
        argv += [scenario(), "--steps", _flag_value(rnd, str(rnd.randint(1, 4))),
                 "--set", rnd.choice(["org.teams=2", "org.teams=0", "levers.clarity=nan", "steps=2", "x=1", "=",
                                      "levers=1", "events[0].step=2", "events[9].step=2", "org.chart=afile",
                                      "people.hiring_freeze=yes", "levers.clarity"]),
                 "--out", rnd.choice(["out", "out/sub", "afile", "afile/sub", "."]), "-q"]
        if rnd.random() < 0.5:
            argv += ["--seed", _flag_value(rnd, str(rnd.randint(0, 10**6)))]
        if rnd.random() < 0.5 and "--set" in argv:
            argv += ["--set", "org.teams=2"]
        if "org.teams=2" not in argv:
            argv += ["--set", "org.teams=2"]
    elif command == "params" and rnd.random() < 0.5:
        argv.append(rnd.choice(["--markdown", "--bogus", "x"]))
    elif command == "sweep":
        argv += [rnd.choice(["exp.toml", "missing.toml", "afile", ""]), "--jobs", _flag_value(rnd, "1"),
                 "--out", rnd.choice(["store", "afile"]), "-q"]
        if rnd.random() < 0.3:
            argv += ["--chunk", _flag_value(rnd, "1")]
        if rnd.random() < 0.3:
            argv.append("--resume")
        (tmp / "exp.toml").write_text(
            'seed = 1\ntask = "ishigami"\n[design]\nkind = "lhs"\nsamples = 2\n'
            '[[parameters]]\nname = "x1"\nrange = [-3, 3]\n[[parameters]]\nname = "x2"\nrange = [-3, 3]\n'
            '[[parameters]]\nname = "x3"\nrange = [-3, 3]\n', encoding="utf-8")
    elif command in ("analyze", "report"):
        argv.append(rnd.choice(["store", "afile", ".", "missing", ""]))
    elif command == "compare":
        argv += [scenario(), scenario(), "--replicates", _flag_value(rnd, "2"), "--steps", _flag_value(rnd, "2"),
                 "--jobs", "1", "--no-leverage", "-q", "--out", rnd.choice(["cmp", "afile"])]
        if rnd.random() < 0.3:
            argv += ["--window", _flag_value(rnd, "1:2")]
        if rnd.random() < 0.3:
            argv += ["--seed", _flag_value(rnd, "7")]
    elif command == "animate":
        argv += [rnd.choice(["nope", "", "afile"]), "--bogus"]  # never valid: rendering is slow
    elif command == "workshop":
        argv += ["--bogus"]  # never valid: it would start a server
    elif command == "scenarios" and rnd.random() < 0.3:
        argv.append("extra")
    return argv


@fuzz_settings("cli")
@given(seed=st.integers(0, 2**32 - 1))
def test_fuzz_command_lines(seed):
    rnd = random.Random(seed)
    with _scratch() as tmp:
        argv = gen_argv(rnd, Path(tmp))
        check_outcome(argv, Path(tmp))


@fuzz_settings("events")
@given(file_steps=st.integers(1, 6), cli_steps=st.one_of(st.none(), st.integers(1, 8)),
       days=st.lists(st.integers(1, 9), min_size=1, max_size=3), kind=st.sampled_from(["shock", "lever", "coaching"]))
def test_fuzz_event_days_against_the_run_length(file_steps, cli_steps, days, kind):
    """An event inside the run is applied and never reported as not applied; one past it is refused
    or reported. (The run length is ``--steps`` when given, else the file's ``steps``.)"""
    steps = file_steps if cli_steps is None else cli_steps
    events = "".join(f'\n[[events]]\ntype = "{kind}"\nstep = {d}\n'
                     + ('lever = "clarity"\nvalue = 0.9\n' if kind == "lever" else "") for d in days)
    argv = ["run", "scen.toml", "--out", "out"] + ([] if cli_steps is None else ["--steps", str(cli_steps)])
    with _scratch() as tmp:
        Path(tmp, "scen.toml").write_text(f"steps = {file_steps}\n[org]\nteams = 2\n{events}", encoding="utf-8")
        code, err = check_outcome([*argv, "--set", "org.customers_per_front_team=3"], Path(tmp))
    late = [i for i, d in enumerate(days) if d > steps]
    if code == 0:
        noted = {int(i) for i in re.findall(r"events\[(\d+)\]", err)}
        assert noted == set(late), f"{days=} {steps=}: stderr {err!r}"
    else:
        assert late, f"{days=} {steps=}: refused although every event is inside the run: {err!r}"


def test_an_event_on_the_last_day_is_not_reported_as_unapplied():
    with _scratch() as tmp:
        Path(tmp, "scen.toml").write_text('steps = 3\n[org]\nteams = 2\n[[events]]\ntype = "shock"\nstep = 3\n',
                                          encoding="utf-8")
        code, err = check_outcome(["run", "scen.toml", "--out", "out"], Path(tmp))
    assert code == 0 and "not applied" not in err


def test_the_steps_flag_extends_the_event_window():
    with _scratch() as tmp:
        Path(tmp, "scen.toml").write_text('steps = 3\n[org]\nteams = 2\n[[events]]\ntype = "shock"\nstep = 5\n',
                                          encoding="utf-8")
        code, err = check_outcome(["run", "scen.toml", "--out", "out", "--steps", "6"], Path(tmp))
    assert code == 0, err


def test_a_run_function_calling_sys_exit_is_a_failed_run():
    with _scratch() as tmp:
        Path(tmp, "tasks.py").write_text(TASK_FILE, encoding="utf-8")
        Path(tmp, "exp.toml").write_text('seed = 1\ntask = "tasks.py:leave"\n[design]\nkind = "lhs"\nsamples = 2\n'
                                         '[[parameters]]\nname = "a"\nrange = [0, 1]\n', encoding="utf-8")
        code, _ = check_outcome(["sweep", "exp.toml", "--out", "store", "--jobs", "1", "-q"], Path(tmp))
        assert code == 0
        assert json.loads(Path(tmp, "store", "manifest.json").read_text())["status"] != "running"
