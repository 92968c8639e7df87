"""Properties of generated organisations and of the graph helpers (sim.model.orggraph)."""

from __future__ import annotations

import math
from unittest import mock

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.model import orggraph
from sim.model.orggraph import (
    branching,
    check_org,
    generate_org,
    layered_layout,
    relabel_bfs,
    reports_to_parent_array,
    subtree,
)
from sim.model.params import OrgParams

share = st.floats(0.0, 1.0, allow_nan=False)
org_params = st.builds(
    OrgParams,
    teams=st.integers(1, 200),
    divisions=st.integers(1, 8),
    depth=st.integers(1, 5),
    front_share=share,
    dependency_density=share,
    cross_division_share=share,
    headcount=st.floats(1.0, 30.0),
    headcount_spread=share,
)
seeds = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=60, deadline=None)


def gen(params: OrgParams, seed: int) -> nx.DiGraph:
    return generate_org(params, np.random.default_rng(seed))


def edges(G: nx.DiGraph, relation: str) -> list[tuple[int, int]]:
    return [(u, v) for u, v, r in G.edges(data="relation") if r == relation]


def reports(G: nx.DiGraph, v: int) -> list[int]:
    return [u for u in G.predecessors(v) if G.edges[u, v]["relation"] == "reports_to"]


@FAST
@given(org_params, seeds)
def test_generated_org_shape(params, seed):
    G = gen(params, seed)
    check_org(G)
    n = G.number_of_nodes()
    assert list(G) == list(range(n))
    tree = nx.DiGraph(edges(G, "reports_to"))
    tree.add_nodes_from(G)
    assert nx.is_arborescence(tree.reverse())  # a tree rooted at 0, edges child -> manager
    parent = reports_to_parent_array(G)
    assert parent[0] == -1
    assert all(parent[v] < v for v in range(1, n))  # managers come first
    assert all(parent[v] <= parent[v + 1] for v in range(1, n - 1))  # breadth-first order

    teams = [v for v in G if G.nodes[v]["kind"] == "team"]
    assert len(teams) == params.teams
    heads = reports(G, 0)
    assert len(heads) == min(params.divisions, params.teams)  # only divisions that get a team
    for v in teams:  # holds for any teams/divisions: unused divisions are not created
        assert G.nodes[v]["level"] == params.depth + 1
        assert reports(G, v) == []
        assert G.nodes[v]["office"] in ("front", "back")
        assert isinstance(G.nodes[v]["headcount"], int) and G.nodes[v]["headcount"] >= 1
    for v in G:
        if G.nodes[v]["kind"] != "team":
            assert len(reports(G, v)) > 0  # no manager without reports
            assert G.nodes[v]["office"] == "" and G.nodes[v]["headcount"] == 1


@FAST
@given(org_params, seeds)
def test_spans_and_divisions(params, seed):
    G = gen(params, seed)
    for head in reports(G, 0):
        members = subtree(G, head)
        name = G.nodes[head]["name"]
        assert {G.nodes[v]["division"] for v in members} == {name}
        div_teams = [v for v in members if G.nodes[v]["kind"] == "team"]
        b = branching(len(div_teams), params.depth)
        assert b == math.ceil(round(len(div_teams) ** (1 / params.depth), 9))
        # each manager splits its m teams into min(b, m) groups, and m <= b ** (levels left): span <= b
        for v in members:
            if G.nodes[v]["kind"] != "team":
                assert 1 <= len(reports(G, v)) <= b
    sizes = [len([v for v in subtree(G, h) if G.nodes[v]["kind"] == "team"]) for h in reports(G, 0)]
    assert max(sizes) - min(sizes) <= 1


@FAST
@given(org_params, seeds)
def test_offices_and_dependencies(params, seed):
    G = gen(params, seed)
    teams = [v for v in G if G.nodes[v]["kind"] == "team"]
    front = [v for v in teams if G.nodes[v]["office"] == "front"]
    back = [v for v in teams if G.nodes[v]["office"] == "back"]
    if params.front_share > 0:
        assert front
    if params.front_share == 0:
        assert not front
    for head in reports(G, 0):
        div = [v for v in subtree(G, head) if G.nodes[v]["kind"] == "team"]
        n_front = sum(G.nodes[v]["office"] == "front" for v in div)
        expected = math.floor(params.front_share * len(div) + 0.5)
        if len(div) >= 2 and params.front_share < 1:
            expected = min(expected, len(div) - 1)
            assert n_front < len(div)  # at least one back team
        assert n_front == expected or (expected == 0 and n_front == 1)  # the one forced front team

    deps = edges(G, "depends_on")
    assert len(deps) == len(set(deps))
    for u, v in deps:
        assert G.nodes[u]["office"] == "front" and G.nodes[v]["office"] == "back"
    for f in front:  # every front team has a partner whenever a back team exists
        assert (G.out_degree(f) - 1 >= 1) == bool(back)
    if params.cross_division_share == 0:  # hand-offs leave a division only if it has no back team
        divisions_with_back = {G.nodes[v]["division"] for v in back}
        for u, v in deps:
            if G.nodes[u]["division"] in divisions_with_back:
                assert G.nodes[v]["division"] == G.nodes[u]["division"]


@FAST
@given(org_params, seeds)
def test_same_seed_same_graph(params, seed):
    G, H = gen(params, seed), gen(params, seed)
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(data=True)) == list(H.edges(data=True))


@FAST
@given(org_params, seeds)
def test_layered_layout(params, seed):
    G = gen(params, seed)
    pos = layered_layout(G)
    assert set(pos) == set(G)
    parent = reports_to_parent_array(G)
    for v in range(1, len(parent)):
        assert pos[parent[v]][1] > pos[v][1]
        assert pos[v][1] == -G.nodes[v]["level"]
    leaves = [v for v in G if not reports(G, v)]
    xs = sorted(pos[v][0] for v in leaves)
    assert xs == [float(i) for i in range(len(leaves))]  # distinct, evenly spaced
    for v in G:
        below = [pos[u][0] for u in subtree(G, v) if u in leaves]
        assert pos[v][0] == (min(below) + max(below)) / 2


def test_hand_worked_four_teams_two_divisions():
    params = OrgParams(teams=4, divisions=2, depth=1, front_share=0.5, cross_division_share=0.0)
    G = gen(params, 7)
    assert G.number_of_nodes() == 7
    assert list(reports_to_parent_array(G)) == [-1, 0, 0, 1, 1, 2, 2]
    assert [G.nodes[v]["level"] for v in G] == [0, 1, 1, 2, 2, 2, 2]
    assert [G.nodes[v]["kind"] for v in G] == ["executive"] + ["manager"] * 2 + ["team"] * 4
    assert [G.nodes[v]["name"] for v in G][:3] == ["CEO", "Division A", "Division B"]
    a, b = "Division A", "Division B"
    assert [G.nodes[v]["division"] for v in G] == ["", a, b, a, a, b, b]
    # each division: round(0.5 * 2) = 1 front team, depending on the division's one back team
    offices = [G.nodes[v]["office"] for v in (3, 4, 5, 6)]
    assert sorted(offices[:2]) == sorted(offices[2:]) == ["back", "front"]
    deps = sorted(edges(G, "depends_on"))
    assert len(deps) == 2
    for u, v in deps:
        assert G.nodes[u]["office"] == "front" and G.nodes[v]["office"] == "back"
        assert G.nodes[u]["parent"] == G.nodes[v]["parent"]
    assert layered_layout(G) == {0: (1.5, 0.0), 1: (0.5, -1.0), 2: (2.5, -1.0),
                                 3: (0.0, -2.0), 4: (1.0, -2.0), 5: (2.0, -2.0), 6: (3.0, -2.0)}


def test_hand_worked_binary_tree_and_uneven_split():
    G = gen(OrgParams(teams=8, divisions=1, depth=3), 1)  # b = 2: 1 + 1 + 2 + 4 + 8 nodes
    assert G.number_of_nodes() == 16
    assert [len(reports(G, v)) for v in range(8)] == [1, 2, 2, 2, 2, 2, 2, 2]
    G = gen(OrgParams(teams=5, divisions=1, depth=2), 1)  # b = 3: groups of 2, 2, 1
    assert [len(reports(G, v)) for v in range(5)] == [1, 3, 2, 2, 1]


def test_fewer_teams_than_divisions_and_many_divisions():
    G = gen(OrgParams(teams=2, divisions=5, depth=2), 3)
    assert [G.nodes[v]["name"] for v in reports(G, 0)] == ["Division A", "Division B"]
    G = gen(OrgParams(teams=30, divisions=28, depth=1), 3)
    names = [G.nodes[v]["name"] for v in reports(G, 0)]
    assert names[25:] == ["Division Z", "Division 27", "Division 28"]


def test_branching_is_exact_integer_root():
    assert [branching(n, 3) for n in (1, 8, 9, 27, 28, 64, 125)] == [1, 2, 3, 3, 4, 4, 5]
    assert branching(1000, 1) == 1000


def test_relabel_bfs_and_subtree():
    G = gen(OrgParams(teams=6, divisions=2, depth=2), 5)
    shuffled = nx.DiGraph()
    order = list(reversed(list(G)))  # children before managers: not a valid order
    shuffled.add_nodes_from((f"n{v}", {**G.nodes[v], "parent": 99, "level": 99}) for v in order)
    shuffled.add_edges_from((f"n{u}", f"n{v}", d) for u, v, d in G.edges(data=True))
    with pytest.raises(InputError):
        check_org(nx.convert_node_labels_to_integers(shuffled))
    H = relabel_bfs(shuffled)
    check_org(H)
    def same(a, b):  # parent indices differ between the two numberings
        return {**a, "parent": 0} == {**b, "parent": 0}

    assert nx.is_isomorphic(G, H, node_match=same, edge_match=lambda a, b: a == b)
    assert [H.nodes[v]["ext_id"] for v in reports(H, 0)] == ["2", "1"]  # children in the graph's node order
    assert subtree(H, 0) == list(H)
    team = next(v for v in H if H.nodes[v]["kind"] == "team")
    assert subtree(H, team) == [team]
    head = reports(H, 0)[0]
    assert set(subtree(H, head)) == {v for v in H if H.nodes[v]["division"] == H.nodes[head]["name"]}


def test_check_org_rejects_broken_graphs():
    G = gen(OrgParams(teams=4, divisions=2, depth=1), 0)
    bad = G.copy()
    bad.nodes[3]["kind"] = "boss"
    with pytest.raises(InputError, match="kind"):
        check_org(bad)
    bad = G.copy()
    bad.add_edge(1, 3, relation="reports_to")  # a manager also reporting to a team
    with pytest.raises(InputError, match="two managers"):
        check_org(bad)
    bad = G.copy()
    bad.remove_edge(2, 0)
    with pytest.raises(InputError, match="several roots"):
        check_org(bad)
    bad = G.copy()
    back = next(v for v in G if G.nodes[v]["office"] == "back")
    bad.add_edge(back, 1, relation="depends_on")
    with pytest.raises(InputError, match="depends_on"):
        check_org(bad)
    with pytest.raises(InputError, match="no nodes"):
        check_org(nx.DiGraph())


# -------------------------------------------------------------------------------------- headcounts
# Back offices are staffed to their planned load (orggraph._staff_back_office): back team b receives
# s_b = sum over the front teams f that depend on it of 1 / (number of f's partners) front teams'
# worth of hand-offs, and its drawn headcount h0 becomes max(1, round(h0 * s_b)).
def planned_shares(G: nx.DiGraph) -> dict[int, float]:
    """s_b for every back team, recomputed from the depends_on edges (summed in node order, as the
    generator does, so that the rounding below sees the same floats)."""
    teams = [v for v in G if G.nodes[v]["kind"] == "team"]
    s = {v: 0.0 for v in teams if G.nodes[v]["office"] == "back"}
    for f in teams:
        partners = [t for t in G.successors(f) if G.edges[f, t]["relation"] == "depends_on"]
        for t in partners:
            s[t] += 1.0 / len(partners)
    return s


def staffed(h0: int, s_b: float) -> int:
    """The staffing rule: max(1, round(h0 * s_b))."""
    return max(1, round(h0 * s_b))


@FAST
@given(org_params, seeds)
def test_back_office_is_staffed_to_its_planned_load(params, seed):
    """h0 is recovered by generating the same org with the staffing step switched off: it draws
    nothing, so everything else (offices, headcount draws, edges) comes out identical."""
    G = gen(params, seed)
    with mock.patch.object(orggraph, "_staff_back_office", lambda G, teams: None):
        G0 = gen(params, seed)
    assert list(G.edges(data=True)) == list(G0.edges(data=True))
    s = planned_shares(G)
    # the shares add up to the number of front teams that have a partner: each hands off one team's worth
    with_partner = sum(1 for v in G if G.nodes[v]["office"] == "front" and G.out_degree(v) > 1)
    assert math.isclose(sum(s.values()), with_partner, rel_tol=1e-9)
    for v in G:
        got, h0 = G.nodes[v]["headcount"], G0.nodes[v]["headcount"]
        assert {**G.nodes[v], "headcount": 0} == {**G0.nodes[v], "headcount": 0}
        if v in s:
            assert got == staffed(h0, s[v]), (v, h0, s[v])
        else:  # managers and front teams keep their drawn headcount
            assert got == h0


@FAST
@given(org_params.map(lambda p: p.model_copy(update={"headcount_spread": 0.0})), seeds)
def test_without_spread_back_headcount_follows_the_planned_share_exactly(params, seed):
    """headcount_spread 0: every team is drawn at h0 = max(1, round(headcount)); front teams keep it
    and back team b gets max(1, round(h0 * s_b))."""
    G = gen(params, seed)
    h0 = max(1, round(params.headcount))
    s = planned_shares(G)
    for v in G:
        if G.nodes[v]["kind"] == "team":
            expected = staffed(h0, s[v]) if v in s else h0
            assert G.nodes[v]["headcount"] == expected, (v, G.nodes[v]["office"])


@pytest.mark.parametrize(("density", "seed", "deps", "heads"), [
    # fronts 4, 5 -> 2 and 6 -> 3: s = {2: 1 + 1, 3: 1} -> 8 * 2 = 16, 8 * 1 = 8
    (0.0, 0, [(4, 2), (5, 2), (6, 3)], {2: 16, 3: 8}),
    # every front -> 4: s = {3: 0, 4: 3} -> max(1, 8 * 0) = 1 for the idle back team, 8 * 3 = 24
    (0.0, 14, [(2, 4), (5, 4), (6, 4)], {3: 1, 4: 24}),
    # 6 splits over 2 and 3: s = {2: 1 + 1 + 1/2, 3: 1/2} -> 8 * 2.5 = 20, 8 * 0.5 = 4
    (0.5, 0, [(4, 2), (5, 2), (6, 2), (6, 3)], {2: 20, 3: 4}),
])
def test_hand_worked_back_office_staffing(density, seed, deps, heads):
    # 5 teams in one division: floor(0.6 * 5 + 0.5) = 3 front, 2 back; all drawn at 8 (spread 0)
    params = OrgParams(teams=5, divisions=1, depth=1, front_share=0.6, dependency_density=density,
                       cross_division_share=0.0, headcount=8.0, headcount_spread=0.0)
    G = gen(params, seed)
    assert sorted(edges(G, "depends_on")) == deps
    teams = [v for v in G if G.nodes[v]["kind"] == "team"]
    assert {v: G.nodes[v]["headcount"] for v in teams if G.nodes[v]["office"] == "back"} == heads
    assert all(G.nodes[v]["headcount"] == 8 for v in teams if G.nodes[v]["office"] == "front")


def test_headcounts_are_log_normal_around_the_headcount():
    # front_share 1: every team is front (no n - 1 cap at share 1), so no back-office scaling;
    # log(h) = log(20) + z, z ~ N(0, 0.15), plus rounding to whole people (sd <= 0.5 / 20 / sqrt(3) = 0.015)
    params = OrgParams(teams=4000, divisions=4, depth=1, front_share=1.0, headcount=20.0, headcount_spread=0.15)
    G = gen(params, 2)
    logs = np.log([G.nodes[v]["headcount"] for v in G if G.nodes[v]["kind"] == "team"])
    assert not edges(G, "depends_on")
    assert abs(logs.mean() - math.log(20.0)) < 0.015  # sd of the mean 0.15 / sqrt(4000) = 0.0024
    assert abs(logs.std() - 0.15) < 0.01  # sqrt(0.15**2 + 0.015**2) = 0.1507; sd of the sd 0.0017
