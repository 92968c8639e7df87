"""Org chart CSV files: read into, and write from, the graph contract of :mod:`sim.model.orggraph`.

Format (UTF-8, a BOM is accepted; header names are case-insensitive; extra columns are ignored)::

    id,name,manager_id,kind,division,office,headcount,depends_on
    ceo,Ada,,executive,,,,
    ops,Operations,ceo,manager,Operations,,,
    t1,Claims intake,ops,team,Operations,front,7,t2;t3
    t3,Payments,ops,team,,back,4,
    t2,Claims review,ops,team,Operations,back,5,

* ``id``: unique, non-empty. ``name``: blank means the id.
* ``manager_id``: the id of the row this one reports to; exactly one row (the top) leaves it empty.
* ``kind``: executive, manager or team. Teams are leaves (they manage nobody) and have a manager.
* ``division``: blank inherits the manager's division; a blank directly under the top row takes
  its own name (it heads a division). The top row's division is always ``""``.
* ``office``: front or back for teams; blank, front or back for others (ignored there).
* ``headcount``: people (FTE) for teams, at most ``MAX_TEAM_HEADCOUNT`` (100,000): a positive whole
  number, or a fractional FTE (``7.5``). The model simulates whole people: a team's headcount is its
  FTE rounded to the nearest whole number (halves up), at least 1; the chart's FTE is kept as the
  node's ``fte`` (only where it differs from that headcount), and compare's reports in FTE use it
  (docs/strategists.md, business units). Blank or a positive number for others (stored as 1).
* At least one row is a team (an executive alone, or managers only, is refused).
* ``depends_on`` (optional): ``;``-separated ids of back-office teams this front-office team hands
  work to.
* ``approval`` (optional): ``yes``, ``no`` or blank. ``yes`` on a team: hand-offs into it need its
  manager's sign-off; on a manager: hand-offs into any back-office team under it need that
  manager's sign-off (sim/model/approvals.py).

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2. Blank rows
are skipped. Every problem raises :class:`~sim.errors.InputError` with a one-line message naming
the file, the row(s), the column, the value and what is allowed.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from sim.errors import InputError, separator_hint
from sim.model.orggraph import KINDS, MAX_TEAM_HEADCOUNT, OFFICES, check_org, relabel_bfs

REQUIRED = ("id", "name", "manager_id", "kind", "division", "office", "headcount")
COLUMNS = (*REQUIRED, "depends_on")
APPROVAL = ("yes", "no")  # values of the optional approval column (blank: no)


@dataclass
class _Row:
    row: int
    id: str
    name: str
    manager: str
    kind: str
    division: str
    office: str
    headcount: int
    depends_on: list[str] = field(default_factory=list)
    fte: float | None = None  # the chart's fractional FTE, when it is not a whole number
    approval: bool = False


def _positive_int(text: str) -> int | None:
    """``int(text)`` if it is a positive integer (``"8"`` or ``"8.0"``), else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value >= 1 else None


def _positive_fte(text: str) -> float | None:
    """``float(text)`` if it is a positive finite number of people (FTE may be fractional), else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _load(path: Path, file: str) -> list[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.reader(fh))
    except FileNotFoundError:
        raise InputError(file, "file not found") from None
    except UnicodeDecodeError:
        raise InputError(file, "not UTF-8 text; save the org chart as a UTF-8 CSV") from None
    except csv.Error as exc:
        raise InputError(file, f"not a valid CSV file ({exc})") from None
    except OSError as exc:
        raise InputError(file, f"cannot read: {exc.strerror or exc}") from None


def _header(records: list[list[str]], file: str) -> list[str]:
    if not any(cell.strip() for rec in records for cell in rec):
        raise InputError(f"{file}: row 1", f"empty file; expected a header row {','.join(COLUMNS)}")
    header = [h.strip().lower() for h in records[0]]
    for i, name in enumerate(header):
        if name and name in header[:i]:
            raise InputError(f"{file}: row 1, column {name}", "the column appears twice in the header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        s = "s" if len(missing) > 1 else ""
        raise InputError(f"{file}: row 1, column{s} {', '.join(missing)}",
                         f"required column{s} missing; the header needs {','.join(REQUIRED)} "
                         f"(optional: depends_on, approval){separator_hint(records[0])}")
    return header


def _parse_row(n: int, cells: dict[str, str], seen: dict[str, _Row], file: str) -> _Row:
    def bad(column: str, problem: str):
        raise InputError(f"{file}: row {n}, column {column}", problem)

    ident = cells["id"]
    if not ident:
        bad("id", "empty; every row needs an id")
    if ident in seen:
        bad("id", f"{ident!r} is already the id of row {seen[ident].row}; ids must be unique")
    kind = cells["kind"].lower()
    if kind not in KINDS:
        bad("kind", f"{cells['kind']!r} is not a kind; allowed: {', '.join(KINDS)}")
    office = cells["office"].lower()
    if kind == "team" and office not in OFFICES:
        bad("office", f"{cells['office']!r} is not allowed for a team; allowed: front, back")
    if kind != "team" and office not in ("", *OFFICES):
        bad("office", f"{cells['office']!r} is not an office; allowed: front, back, or blank for a {kind}")
    text = cells["headcount"]
    fte = _positive_fte(text)
    headcount = max(1, math.floor(fte + 0.5)) if fte is not None else None
    if fte is None and (text or kind == "team"):
        blank = "" if kind == "team" else " or blank"
        bad("headcount", f"{text!r} is not a positive number{blank} (people or FTE, e.g. 8 or 7.5)")
    if kind == "team" and headcount is not None and headcount > MAX_TEAM_HEADCOUNT:
        bad("headcount", f"{text!r} is more people than a team may have; allowed: 1 to {MAX_TEAM_HEADCOUNT:,} "
            "(split a larger unit into teams)")
    depends = [d.strip() for d in cells.get("depends_on", "").split(";") if d.strip()]
    approval = cells.get("approval", "").lower()
    if approval not in ("", *APPROVAL):
        bad("approval", f"{cells['approval']!r} is not allowed; allowed: {', '.join(APPROVAL)} or blank")
    return _Row(n, ident, cells["name"] or ident, cells["manager_id"], kind, cells["division"],
                office if kind == "team" else "", headcount if kind == "team" else 1,
                list(dict.fromkeys(depends)), fte if kind == "team" and fte != headcount else None,
                approval == "yes")


def _rows(records: list[list[str]], header: list[str], file: str) -> dict[str, _Row]:
    rows: dict[str, _Row] = {}
    for n, rec in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in rec):
            continue
        extra = [i for i in range(len(header), len(rec)) if rec[i].strip()]
        if extra:
            raise InputError(f"{file}: row {n}, column {extra[0] + 1}",
                             f"{rec[extra[0]].strip()!r} lies beyond the {len(header)} columns of the header")
        cells = {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header) if h}
        row = _parse_row(n, cells, rows, file)
        rows[row.id] = row
    if not rows:
        raise InputError(f"{file}: row 2", "no data rows after the header; the chart needs at least one row")
    if not any(r.kind == "team" for r in rows.values()):
        raise InputError(f"{file}: column kind", "no row is a team; the chart needs at least one row of kind "
                         "team (teams do the work; executives and managers only manage)")
    return rows


def _check_links(rows: dict[str, _Row], file: str) -> None:
    """manager_id and depends_on references, row by row."""
    for r in rows.values():
        where = f"{file}: row {r.row}, column"
        if r.manager:
            boss = rows.get(r.manager)
            if boss is None:
                raise InputError(f"{where} manager_id", f"{r.manager!r} is not the id of any row")
            if boss.kind == "team":
                raise InputError(f"{where} manager_id", f"{r.manager!r} (row {boss.row}) is a team; "
                                 "teams cannot manage anyone (they are the leaves of the chart)")
        elif r.kind == "team":
            raise InputError(f"{where} manager_id",
                             f"empty, but {r.id!r} is a team and every team needs a manager")
        if r.depends_on and (r.kind != "team" or r.office != "front"):
            what = f"a {r.kind}" if r.kind != "team" else "a back-office team"
            raise InputError(f"{where} depends_on", f"{';'.join(r.depends_on)!r} given for {what}; "
                             "only front-office teams list the back-office teams they hand work to")
        for d in r.depends_on:
            target = rows.get(d)
            if target is None:
                raise InputError(f"{where} depends_on", f"{d!r} is not the id of any row")
            if target.kind != "team" or target.office != "back":
                what = f"a {target.kind}" if target.kind != "team" else "a front-office team"
                raise InputError(f"{where} depends_on", f"{d!r} (row {target.row}) is {what}, not a "
                                 "back-office team; depends_on lists back-office teams")


def _check_tree(rows: dict[str, _Row], file: str) -> None:
    """Exactly one top row, and no loops in the reports-to chain."""
    roots = [r for r in rows.values() if not r.manager]
    if len(roots) > 1:
        listed = ", ".join(f"{r.id!r} at row {r.row}" for r in roots)
        raise InputError(f"{file}: rows {', '.join(str(r.row) for r in roots)}, column manager_id",
                         f"several rows have an empty manager_id ({listed}); exactly one row, the top "
                         "of the organisation, may leave it empty")
    done: set[str] = set()
    for start in rows:
        path: dict[str, None] = {}  # ordered set
        v = start
        while v and v not in done and v not in path:
            path[v] = None
            v = rows[v].manager
        if v in path:
            walked = list(path)
            loop = walked[walked.index(v):]
            first = min(range(len(loop)), key=lambda i: rows[loop[i]].row)
            loop = loop[first:] + loop[:first]
            chain = " -> ".join(f"{x!r} (row {rows[x].row})" for x in loop)
            s = "s" if len(loop) > 1 else ""
            numbers = ", ".join(str(n) for n in sorted(rows[x].row for x in loop))
            raise InputError(f"{file}: row{s} {numbers}, column manager_id",
                             f"the reports-to chain loops: {chain} -> {loop[0]!r}")
        done.update(path)


def read_org_csv(path: str | Path) -> nx.DiGraph:
    """The org chart at ``path`` as a graph satisfying the contract of :mod:`sim.model.orggraph`.

    Nodes are numbered breadth-first from the top row, children in row order; ``ext_id`` is the id.
    """
    path = Path(path)
    file = str(path)
    records = _load(path, file)
    header = _header(records, file)
    rows = _rows(records, header, file)
    _check_links(rows, file)
    _check_tree(rows, file)

    G = nx.DiGraph()
    for r in rows.values():
        G.add_node(r.id, kind=r.kind, name=r.name, ext_id=r.id, division=r.division, office=r.office,
                   headcount=r.headcount, level=0, parent=-1, **({"fte": r.fte} if r.fte is not None else {}))
        if r.approval:
            G.nodes[r.id]["approval"] = True
    for r in rows.values():
        if r.manager:
            G.add_edge(r.id, r.manager, relation="reports_to")
    for r in rows.values():
        for d in r.depends_on:
            G.add_edge(r.id, d, relation="depends_on")
    H = relabel_bfs(G)
    H.nodes[0]["division"] = ""
    for v in range(1, H.number_of_nodes()):
        data = H.nodes[v]
        if not data["division"]:
            data["division"] = data["name"] if data["parent"] == 0 else H.nodes[data["parent"]]["division"]
    return H


def write_org_csv(G: nx.DiGraph, path: str | Path) -> None:
    """Write ``G`` (graph contract) as an org chart CSV, rows in node order, ids from ``ext_id``."""
    check_org(G)
    nodes = G.nodes
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            approvals = any(nodes[v].get("approval", False) for v in G)
            out.writerow((*COLUMNS, "approval") if approvals else COLUMNS)
            for v in G:
                data = nodes[v]
                team = data["kind"] == "team"
                succ = G.succ[v].items()
                depends = [nodes[w]["ext_id"] for w, e in succ if e["relation"] == "depends_on"]
                out.writerow([data["ext_id"], data["name"],
                              nodes[data["parent"]]["ext_id"] if data["parent"] >= 0 else "",
                              data["kind"], data["division"], data["office"],
                              data.get("fte", data["headcount"]) if team else "", ";".join(depends),
                              *(["yes" if data.get("approval", False) else ""] if approvals else [])])
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
