"""Org chart CSV round trips and one-line error messages (sim.inputs.orgchart)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.inputs.orgchart import read_org_csv, write_org_csv
from sim.model.orggraph import check_org, generate_org
from sim.model.params import OrgParams

HEADER = "id,name,manager_id,kind,division,office,headcount,depends_on"
GOOD = [
    "ceo,Ada,,executive,,,,",
    "ops,Operations,ceo,manager,Operations,,,",
    "t1,Claims intake,ops,team,Operations,front,7,t2",
    "t2,Claims review,ops,team,Operations,back,5,",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    teams=st.integers(1, 60),
    divisions=st.integers(1, 5),
    depth=st.integers(1, 4),
    front_share=st.floats(0.0, 1.0),
    density=st.floats(0.0, 1.0),
    cross=st.floats(0.0, 1.0),
    spread=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip_is_identical(tmp_path, teams, divisions, depth, front_share, density, cross, spread, seed):
    # spread: log-normal team headcounts, then back offices staffed to their load (any int >= 1 round-trips)
    params = OrgParams(teams=teams, divisions=divisions, depth=depth, front_share=front_share,
                       dependency_density=density, cross_division_share=cross, headcount_spread=spread)
    G = generate_org(params, np.random.default_rng(seed))
    path = tmp_path / "org.csv"
    write_org_csv(G, path)
    H = read_org_csv(path)
    # rows are written breadth-first and read back breadth-first in row order: same node numbers
    assert list(H.nodes(data=True)) == list(G.nodes(data=True))
    assert sorted(H.edges(data="relation")) == sorted(G.edges(data="relation"))


def test_read_small_chart(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("\ufeff" + "ID,Name,Manager_ID,Kind,Division,Office,Headcount,Depends_on,Extra\n"
                    "ceo,Ada,,executive,Group,,,,x\n"
                    "\n"
                    "t2,Claims review,ops,Team,,Back,5.0,,\n"
                    "ops,,ceo,manager,,,,,\n"
                    "t1,Claims intake,ops,team,Claims,front,7, t2 ; t2 ,\n", encoding="utf-8")
    G = read_org_csv(path)
    check_org(G)
    assert [G.nodes[v]["ext_id"] for v in G] == ["ceo", "ops", "t2", "t1"]
    assert [G.nodes[v]["name"] for v in G] == ["Ada", "ops", "Claims review", "Claims intake"]
    assert [G.nodes[v]["division"] for v in G] == ["", "ops", "ops", "Claims"]  # blank inherits
    assert [G.nodes[v]["office"] for v in G] == ["", "", "back", "front"]
    assert [G.nodes[v]["headcount"] for v in G] == [1, 1, 5, 7]
    assert [G.nodes[v]["parent"] for v in G] == [-1, 0, 1, 1]
    assert [G.nodes[v]["level"] for v in G] == [0, 1, 2, 2]
    assert G.edges[3, 2]["relation"] == "depends_on"
    assert G.number_of_edges() == 4


def message(tmp_path, lines: list[str] | str, name: str = "acme.csv") -> str:
    path = tmp_path / name
    path.write_text(lines if isinstance(lines, str) else "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_org_csv(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(str(path) + ": ")
    return text.removeprefix(str(path) + ": ")


def replace(row: int, column: str, value: str, rows: list[str] | None = None) -> list[str]:
    """GOOD with the cell at spreadsheet ``row`` (first data row = 2) and ``column`` set to value."""
    rows = list(GOOD if rows is None else rows)
    cells = rows[row - 2].split(",")
    cells[HEADER.split(",").index(column)] = value
    rows[row - 2] = ",".join(cells)
    return [HEADER, *rows]


def test_good_chart_reads(tmp_path):
    (tmp_path / "ok.csv").write_text("\n".join([HEADER, *GOOD]) + "\n")
    assert read_org_csv(tmp_path / "ok.csv").number_of_nodes() == 4


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError, match="file not found") as info:
        read_org_csv(path)
    assert str(info.value) == f"{path}: file not found"


def test_empty_file(tmp_path):
    assert message(tmp_path, "").startswith("row 1: empty file")
    assert message(tmp_path, "\n\n").startswith("row 1: empty file")
    assert message(tmp_path, [HEADER]).startswith("row 2: no data rows")


def test_missing_required_column(tmp_path):
    lines = [HEADER.replace("kind,", ""), "ceo,Ada,,,,,"]
    assert message(tmp_path, lines).startswith("row 1, column kind: required column missing")
    assert message(tmp_path, ["id,name", "a,b"]).startswith(
        "row 1, columns manager_id, kind, division, office, headcount: required columns missing")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (replace(4, "id", "ops"), "row 4, column id: 'ops' is already the id of row 3"),
        (replace(4, "id", ""), "row 4, column id: empty"),
        (replace(5, "manager_id", "X12"), "row 5, column manager_id: 'X12' is not the id of any row"),
        (replace(3, "kind", "boss"), "row 3, column kind: 'boss' is not a kind; allowed: executive, manager"),
        (replace(4, "office", "side"), "row 4, column office: 'side' is not allowed for a team; allowed:"),
        (replace(4, "office", ""), "row 4, column office: '' is not allowed for a team"),
        (replace(3, "office", "side"), "row 3, column office: 'side' is not an office"),
        (replace(4, "headcount", "0"), "row 4, column headcount: '0' is not a positive number"),
        (replace(4, "headcount", "-2.5"), "row 4, column headcount: '-2.5' is not a positive number"),
        (replace(4, "headcount", "nan"), "row 4, column headcount: 'nan' is not a positive number"),
        (replace(4, "headcount", ""), "row 4, column headcount: '' is not a positive number"),
        (replace(3, "headcount", "many"), "row 3, column headcount: 'many' is not a positive number or"),
        (replace(4, "depends_on", "t2;zz"), "row 4, column depends_on: 'zz' is not the id of any row"),
        (replace(4, "depends_on", "ops"), "row 4, column depends_on: 'ops' (row 3) is a manager, not a"),
        (replace(5, "office", "front"), "row 4, column depends_on: 't2' (row 5) is a front-office team"),
        (replace(5, "depends_on", "t2"), "row 5, column depends_on: 't2' given for a back-office team"),
        (replace(3, "depends_on", "t2"), "row 3, column depends_on: 't2' given for a manager"),
        (replace(4, "manager_id", ""), "row 4, column manager_id: empty, but 't1' is a team"),
        (replace(5, "manager_id", "t1"), "row 5, column manager_id: 't1' (row 4) is a team; teams cannot"),
        (replace(3, "manager_id", ""),
         ("rows 2, 3, column manager_id: several rows have an empty manager_id "
          "('ceo' at row 2, 'ops' at row 3)")),
        (replace(3, "manager_id", "ops"),
         "row 3, column manager_id: the reports-to chain loops: 'ops' (row 3) -> 'ops'"),
        ([HEADER, *GOOD[:3], "t2,Claims review,ops,team,Operations,back,5,,surplus"],
         "row 5, column 9: 'surplus' lies beyond the 8 columns"),
        ([HEADER.replace("office", "kind")], "row 1, column kind: the column appears twice"),
    ],
)
def test_row_errors(tmp_path, lines, expected):
    assert message(tmp_path, lines).startswith(expected)


def test_cycle_names_every_row_of_the_loop(tmp_path):
    lines = [HEADER, *GOOD, "a,A,c,manager,,,,", "b,B,a,manager,,,,", "c,C,b,manager,,,,"]
    text = message(tmp_path, lines)
    assert text.startswith("rows 6, 7, 8, column manager_id: the reports-to chain loops: "
                           "'a' (row 6) -> 'c' (row 8) -> 'b' (row 7) -> 'a'")
    no_top = replace(2, "manager_id", "ops")  # every row has a manager: the top is in a loop
    assert message(tmp_path, no_top).startswith(
        "rows 2, 3, column manager_id: the reports-to chain loops: 'ceo' (row 2) -> 'ops' (row 3) -> 'ceo'")


def test_row_numbers_count_blank_lines_as_in_a_spreadsheet(tmp_path):
    lines = [HEADER, GOOD[0], "", GOOD[1], "t1,x,nobody,team,,front,1,"]
    assert message(tmp_path, lines).startswith("row 5, column manager_id: 'nobody' is not the id of any row")


def test_several_roots_name_all_rows(tmp_path):
    lines = [HEADER, *GOOD, "cfo,Bo,,executive,,,,", "cto,Cy,,manager,,,,"]
    assert message(tmp_path, lines).startswith("rows 2, 6, 7, column manager_id: several rows")


def test_written_chart_reads_back(tmp_path):
    (tmp_path / "ok.csv").write_text("\n".join([HEADER, *GOOD]) + "\n")
    G = read_org_csv(tmp_path / "ok.csv")
    write_org_csv(G, tmp_path / "again.csv")
    lines = (tmp_path / "again.csv").read_text().splitlines()
    assert lines[0] == HEADER
    assert lines[3] == "t1,Claims intake,ops,team,Operations,front,7,t2"
    H = read_org_csv(tmp_path / "again.csv")
    assert list(H.nodes(data=True)) == list(G.nodes(data=True))
    assert list(H.edges(data=True)) == list(G.edges(data=True))
