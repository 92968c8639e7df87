"""The organisation as a graph: generation, validation, relabelling and layout (no file IO).

Graph contract (the model relies on it; :func:`check_org` enforces it)
----------------------------------------------------------------------
* ``G`` is a ``networkx.DiGraph`` whose nodes are the ints ``0..N-1``, inserted in that order, in
  breadth-first order from the root: node 0 is the root, and the managers' indices never decrease
  along the node order, so every node's manager has a smaller index than the node.
* Node attributes:

  - ``kind``: ``"executive"``, ``"manager"`` or ``"team"``. The root is never a team. Executives
    other than the root (from a CSV) behave like managers.
  - ``name``: display name (str, not necessarily unique).
  - ``ext_id``: original id (str, unique); for generated orgs ``str(node)``.
  - ``division``: str; ``""`` for the root; a division head's division is its own name.
  - ``office``: ``"front"`` or ``"back"`` for teams, ``""`` otherwise.
  - ``headcount``: int in ``1..MAX_TEAM_HEADCOUNT`` for teams, 1 otherwise.
  - ``level``: int, 0 for the root, manager's level + 1 otherwise.
  - ``parent``: int, the manager's index; -1 for the root.

* Edges: ``(child, manager)`` with ``relation="reports_to"``, exactly one per non-root node
  (the reports-to edges form a tree rooted at 0); ``(front team, back team)`` with
  ``relation="depends_on"`` (the front team hands work to that back-office team). Teams are
  leaves of the tree: nobody reports to a team.
* At least one node is a team (teams do the work; an organisation of managers only has no
  fatigue, engagement or alignment to average).

Generated orgs (:func:`generate_org`) additionally put every team at level ``depth + 1`` and all
teams of a division at consecutive indices.
"""

from __future__ import annotations

from collections import deque

import networkx as nx
import numpy as np

from sim.errors import InputError
from sim.model.params import OrgParams

KINDS = ("executive", "manager", "team")
OFFICES = ("front", "back")
ATTRS = ("kind", "name", "ext_id", "division", "office", "headcount", "level", "parent")
# The most people one team may have. Attrition draws the leavers among novices with numpy's
# hypergeometric sampler, which needs counts below 1e9, and headcounts live in int64 arrays; a
# "team" of more than 100,000 people is a whole company, to be split into teams in the chart.
# A team never grows beyond its starting headcount (hires only replace leavers), so checking the
# start (check_org) keeps every later draw in range.
MAX_TEAM_HEADCOUNT = 100_000


def branching(n_teams: int, depth: int) -> int:
    """Smallest b with b ** depth >= n_teams, i.e. ceil(n_teams ** (1 / depth)) without float error."""
    b = max(1, int(np.ceil(n_teams ** (1.0 / depth))))
    while b**depth < n_teams:
        b += 1
    while b > 1 and (b - 1) ** depth >= n_teams:
        b -= 1
    return b


def split_even(n: int, k: int) -> list[int]:
    """``n`` items in ``k`` groups as evenly as possible, larger groups first."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def division_name(index: int) -> str:
    """'Division A' .. 'Division Z', then 'Division 27', 'Division 28', ..."""
    return f"Division {chr(ord('A') + index)}" if index < 26 else f"Division {index + 1}"


def _add(G: nx.DiGraph, kind: str, name: str, division: str, parent: int) -> int:
    node = G.number_of_nodes()
    level = -1 if parent < 0 else G.nodes[parent]["level"]
    G.add_node(node, kind=kind, name=name, ext_id=str(node), division=division, office="",
               headcount=1, level=level + 1, parent=parent)
    if parent >= 0:
        G.add_edge(node, parent, relation="reports_to")
    return node


def generate_org(params: OrgParams, rng: np.random.Generator) -> nx.DiGraph:
    """A random organisation shaped by ``params`` (``params.chart`` is ignored), using only ``rng``.

    ``min(divisions, teams)`` division heads report to the CEO; each division's teams (split as
    evenly as possible, larger divisions first) hang ``depth`` manager levels below the CEO. Each
    manager above the team leads splits its teams into ``min(b, m)`` near-equal groups, where ``m``
    is its number of teams and ``b = ceil(n_div_teams ** (1/depth))``, so every manager has between
    1 and ``b`` reports and every team sits at level ``depth + 1``.

    Random draws, in this order: front teams per division (``rng.choice``), the extra front team if
    none came out, headcounts (log-normal around ``headcount``), dependencies per front team in
    node order; back-office headcounts are then scaled to their planned load (no draw).
    """
    n_teams, depth = params.teams, params.depth
    n_div = min(params.divisions, n_teams)
    G = nx.DiGraph()
    _add(G, "executive", "CEO", "", -1)
    queue: deque[tuple[int, int, int]] = deque()  # (manager, teams below it, branching factor)
    counts: dict[str, list[int]] = {}  # division -> [managers named, teams named]
    for d, size in enumerate(split_even(n_teams, n_div)):
        name = division_name(d)
        counts[name] = [0, 0]
        queue.append((_add(G, "manager", name, name, 0), size, branching(size, depth)))
    while queue:
        node, m, b = queue.popleft()
        division = G.nodes[node]["division"]
        tag = division.removeprefix("Division ")
        if G.nodes[node]["level"] == depth:
            for _ in range(m):
                counts[division][1] += 1
                _add(G, "team", f"Team {tag}-{counts[division][1]}", division, node)
        else:
            for size in split_even(m, min(b, m)):
                counts[division][0] += 1
                child = _add(G, "manager", f"Manager {tag}-{counts[division][0]}", division, node)
                queue.append((child, size, b))

    teams = [v for v in G if G.nodes[v]["kind"] == "team"]
    by_div: dict[str, list[int]] = {name: [] for name in counts}
    for v in teams:
        by_div[G.nodes[v]["division"]].append(v)
    _assign_offices(G, params.front_share, by_div, rng)
    for v, z in zip(teams, rng.normal(0.0, params.headcount_spread, size=len(teams)), strict=True):
        G.nodes[v]["headcount"] = min(MAX_TEAM_HEADCOUNT, max(1, round(params.headcount * np.exp(z))))
    _add_dependencies(G, params, by_div, rng)
    _staff_back_office(G, teams)
    check_org(G)
    return G


def _staff_back_office(G: nx.DiGraph, teams: list[int]) -> None:
    """Staff each back team in proportion to the hand-offs it is planned to receive.

    A front team spreads its hand-offs evenly over its partners, so back team ``b`` receives
    ``s_b = sum(1 / partners(f))`` front teams' worth of hand-offs over the front teams ``f`` that
    depend on it; its drawn headcount is scaled by ``s_b`` (at least 1).  The back office as a
    whole is then staffed like the front office it serves (sum of ``s_b`` = number of front teams
    with a partner), and a back team serving three front teams is not staffed like one serving a
    third of one.  Headcounts are capped at ``MAX_TEAM_HEADCOUNT``."""
    back = [v for v in teams if G.nodes[v]["office"] == "back"]
    share = dict.fromkeys(back, 0.0)
    for f in teams:
        partners = [t for t in G.successors(f) if G.edges[f, t].get("relation") == "depends_on"]
        for t in partners:
            share[t] += 1.0 / len(partners)
    for b in back:
        G.nodes[b]["headcount"] = min(MAX_TEAM_HEADCOUNT, max(1, round(G.nodes[b]["headcount"] * share[b])))


def _assign_offices(G: nx.DiGraph, share: float, by_div: dict[str, list[int]],
                    rng: np.random.Generator) -> None:
    """Per division, floor(share * n + 0.5) front teams (at most n - 1 when n >= 2 and share < 1)."""
    front: set[int] = set()
    for members in by_div.values():
        n = len(members)
        k = int(np.floor(share * n + 0.5))
        if n >= 2 and share < 1:
            k = min(k, n - 1)
        front.update(members[i] for i in rng.choice(n, size=k, replace=False))
    if share > 0 and not front and by_div:
        members = list(by_div.values())[int(rng.integers(len(by_div)))]
        front.add(members[int(rng.integers(len(members)))])
    for members in by_div.values():
        for v in members:
            G.nodes[v]["office"] = "front" if v in front else "back"


def _partners(own: list[int], elsewhere: list[int], params: OrgParams, rng: np.random.Generator) -> list[int]:
    """Back teams one front team hands work to (own: its division's back teams; elsewhere: the rest)."""
    if not own:
        return [elsewhere[int(rng.integers(len(elsewhere)))]] if elsewhere else []
    first = int(rng.integers(len(own)))
    extra = rng.random(len(own)) < params.dependency_density
    targets = [own[first]] + [own[i] for i in np.flatnonzero(extra) if i != first]
    if elsewhere:
        moved = rng.random(len(targets)) < params.cross_division_share
        picks = rng.integers(len(elsewhere), size=len(targets))
        targets = [elsewhere[p] if m else t for t, m, p in zip(targets, moved, picks, strict=True)]
    return list(dict.fromkeys(targets))  # a redirected hand-off may repeat one: keep the first


def _add_dependencies(G: nx.DiGraph, params: OrgParams, by_div: dict[str, list[int]],
                      rng: np.random.Generator) -> None:
    """Front -> back ``depends_on`` edges, front teams in node order."""
    backs = {d: [v for v in members if G.nodes[v]["office"] == "back"] for d, members in by_div.items()}
    for d, members in by_div.items():
        elsewhere = [v for e, vs in backs.items() if e != d for v in vs]
        for f in members:
            if G.nodes[f]["office"] == "front":
                targets = _partners(backs[d], elsewhere, params, rng)
                G.add_edges_from(((f, t) for t in targets), relation="depends_on")


def check_org(G: nx.DiGraph) -> None:
    """Raise ``InputError("org", ...)`` unless ``G`` satisfies the graph contract (module docstring)."""

    def fail(problem: str):
        raise InputError("org", problem)

    if not isinstance(G, nx.DiGraph) or G.is_multigraph():
        fail(f"expected a networkx DiGraph, got {type(G).__name__}")
    n = G.number_of_nodes()
    if n == 0:
        fail("the organisation has no nodes")
    if list(G) != list(range(n)):
        fail("nodes must be the ints 0..N-1 in order (use relabel_bfs)")
    nodes = G.nodes
    ext_ids: set[str] = set()
    for v in G:
        data = nodes[v]
        missing = [a for a in ATTRS if a not in data]
        if missing:
            fail(f"node {v} has no {missing[0]!r} attribute")
        kind, office, headcount = data["kind"], data["office"], data["headcount"]
        if kind not in KINDS:
            fail(f"node {v}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if kind == "team" and office not in OFFICES:
            fail(f"node {v}: a team's office must be front or back, not {office!r}")
        if kind != "team" and office != "":
            fail(f"node {v}: office {office!r} given for a {kind}; only teams have an office")
        team_size_ok = (isinstance(headcount, int | np.integer) and not isinstance(headcount, bool)
                        and 1 <= headcount <= MAX_TEAM_HEADCOUNT)
        if not team_size_ok or (kind != "team" and headcount != 1):
            fail(f"node {v}: headcount {headcount!r} must be an int in 1..{MAX_TEAM_HEADCOUNT:,} for teams "
                 "and 1 otherwise")
        if not all(isinstance(data[a], str) for a in ("name", "ext_id", "division")):
            fail(f"node {v}: name, ext_id and division must be strings")
        if data["ext_id"] in ext_ids:
            fail(f"node {v}: ext_id {data['ext_id']!r} is used twice")
        ext_ids.add(data["ext_id"])

    if not any(nodes[v]["kind"] == "team" for v in G):
        fail("the organisation has no team; it needs at least one (teams do the work)")

    office = [nodes[v]["office"] if nodes[v]["kind"] == "team" else "" for v in range(n)]
    parent = [-1] * n
    for u, w, rel in G.edges(data="relation"):
        if rel == "reports_to":
            if parent[u] != -1:
                fail(f"node {u} reports to two managers ({parent[u]} and {w})")
            parent[u] = w
        elif rel == "depends_on":
            if office[u] != "front" or office[w] != "back":
                fail(f"depends_on edge {u}->{w} must go from a front-office team to a back-office team")
        else:
            fail(f"edge {u}->{w} has relation {rel!r}; allowed: reports_to, depends_on")

    root = nodes[0]
    if root["kind"] == "team":
        fail("the root (node 0) is a team; a team needs a manager")
    if root["parent"] != -1 or root["level"] != 0 or parent[0] != -1:
        fail("the root (node 0) must have parent -1, level 0 and no manager")
    for v in range(1, n):
        p = parent[v]
        if p == -1:
            fail(f"node {v} has no manager: the organisation has several roots")
        if p >= v or p < parent[v - 1]:
            fail(f"node {v}: nodes are not in breadth-first order from the root (use relabel_bfs)")
        if nodes[p]["kind"] == "team":
            fail(f"node {v} reports to team {p}; teams must be leaves")
        if nodes[v]["parent"] != p or nodes[v]["level"] != nodes[p]["level"] + 1:
            fail(f"node {v}: parent/level attributes disagree with its reports_to edge")


def relabel_bfs(G: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``G`` relabelled 0..N-1 in breadth-first order, children in ``G``'s node order.

    ``G`` satisfies the contract except for node labels and order (and its ``parent``/``level``
    attributes, which are recomputed); ``ext_id`` is kept (``str(label)`` if missing).
    """
    parent_of: dict = {}
    for u, w, rel in G.edges(data="relation"):
        if rel == "reports_to":
            if u in parent_of:
                raise InputError("org", f"node {u!r} reports to two managers")
            parent_of[u] = w
    children: dict = {v: [] for v in G}
    for v in G:
        if v in parent_of:
            children[parent_of[v]].append(v)
    roots = [v for v in G if v not in parent_of]
    if len(roots) != 1:
        raise InputError("org", f"expected exactly one root (a node with no manager), found {len(roots)}")
    order = roots[:]
    for v in order:  # grows while iterating: breadth-first
        order.extend(children[v])
    if len(order) != G.number_of_nodes():
        raise InputError("org", "some nodes cannot reach the root: the reports_to chain has a cycle")
    index = {old: i for i, old in enumerate(order)}
    H = nx.DiGraph()
    for i, old in enumerate(order):
        data = dict(G.nodes[old])
        data.setdefault("ext_id", str(old))
        p = index[parent_of[old]] if old in parent_of else -1
        data["parent"] = p
        data["level"] = 0 if p < 0 else H.nodes[p]["level"] + 1
        H.add_node(i, **data)
    for old in order:  # edges grouped by source in the new node order, each source's in G's order
        for w, data in G.succ[old].items():
            H.add_edge(index[old], index[w], **data)
    check_org(H)
    return H


def reports_to_parent_array(G: nx.DiGraph) -> np.ndarray:
    """``parent[v]`` = index of v's manager (-1 for the root), from the reports_to edges."""
    parent = np.full(G.number_of_nodes(), -1, dtype=np.int64)
    for u, w, rel in G.edges(data="relation"):
        if rel == "reports_to":
            parent[u] = w
    return parent


def _children(G: nx.DiGraph) -> list[list[int]]:
    children: list[list[int]] = [[] for _ in range(G.number_of_nodes())]
    for v, p in enumerate(reports_to_parent_array(G)):
        if p >= 0:
            children[p].append(v)
    return children


def subtree(G: nx.DiGraph, node: int) -> list[int]:
    """``node`` and everyone reporting to it, transitively, in ascending (breadth-first) order."""
    out = [node]
    for v in out:  # grows while iterating
        out.extend(u for u in G.predecessors(v) if G.edges[u, v]["relation"] == "reports_to")
    return sorted(out)


def layered_layout(G: nx.DiGraph) -> dict[int, tuple[float, float]]:
    """Top-down tree positions in O(N): ``y = -level``; leaves at x = 0, 1, 2, ... in depth-first
    order (children in node order); each manager at the midpoint of its leftmost and rightmost leaf."""
    children = _children(G)
    n = len(children)
    lo = [0.0] * n
    hi = [0.0] * n
    x_next = 0.0
    stack = [0] if n else []
    while stack:
        v = stack.pop()
        if children[v]:
            stack.extend(reversed(children[v]))
        else:
            lo[v] = hi[v] = x_next
            x_next += 1.0
    for v in range(n - 1, -1, -1):  # children have larger indices than their manager
        if children[v]:
            lo[v], hi[v] = lo[children[v][0]], hi[children[v][-1]]
    return {v: ((lo[v] + hi[v]) / 2, float(-G.nodes[v]["level"])) for v in range(n)}
