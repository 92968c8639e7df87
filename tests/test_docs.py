"""The documentation stays in step with the code.

(a) docs/ODD.md's parameter table is exactly what ``alignsim params --markdown`` prints now.
(b) docs/ODD.md's Submodels section names every mechanism module of sim/model, and each of its
    subsections cites a seed passage (000..004) or says explicitly that there is no seed passage.
(c) The README's quick start is two commands: ``./dev run`` and ``./dev test``.
(d) docs/validation.md's Summary table names every test function of the docking and pattern test
    files (``file::function``), names no function that does not exist, and says "strict expected
    failure" exactly for the tests marked ``xfail``: the table cannot fall behind the tests silently.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sim import cli

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
README = ROOT / "README.md"
VALIDATION = ROOT / "docs" / "validation.md"
# docking and pattern test files whose every module-level test function is a row of the Summary table
DOCKING_FILES = ("test_docking_march.py", "test_docking_sterman.py", "test_patterns.py", "test_tradeoffs.py",
                 "test_lever_grid.py", "test_lever_breakeven.py", "test_lever_costs.py", "test_clarity_price.py",
                 "test_canary.py", "test_mediation.py", "test_erosion.py", "test_remeasure_issue10.py",
                 "test_remeasure_issue11.py")
# files that dock in part only: their tests whose names start with the prefix (the Virtual Design Team's)
PARTLY_DOCKING = {"test_approvals.py": "test_vdt_"}
TABLE_TEST = re.compile(r"tests/(test_\w+\.py)::(test_\w+)")
BEGIN, END = "<!-- params:begin -->", "<!-- params:end -->"
MECHANISMS = ("environment", "demand", "handoffs", "decisions", "work", "signals", "people", "customers", "friction")
SEED = re.compile(r"\b00[0-4]")


def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


def section(text: str, number: int) -> str:
    """The body of the top-level section ``## <number>. ...`` up to the next ``## `` heading."""
    m = re.search(rf"^## {number}\. .*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"docs/ODD.md has no section '## {number}. ...'"
    return m.group(1)


def subsections(body: str) -> dict[str, str]:
    """``### `` headings (not ``####``) of a section mapped to their text."""
    parts = re.split(r"^### (?!#)(.*)$", body, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_parameter_table_matches_the_code(capsys):
    assert cli.main(["params", "--markdown"]) == 0
    expected = capsys.readouterr().out.strip()
    text = odd_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1, "one pair of params markers expected"
    table = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == expected, (
        "docs/ODD.md's parameter table is out of date; regenerate it from `alignsim params --markdown` "
        "between the params:begin and params:end markers"
    )


def test_submodels_name_every_mechanism_module():
    body = section(odd_text(), 7)
    missing = [m for m in MECHANISMS if f"sim/model/{m}.py" not in body]
    assert not missing, f"Submodels section does not name: {missing}"
    headings = " ".join(subsections(body))
    without_heading = [m for m in MECHANISMS if f"sim/model/{m}.py" not in headings]
    assert not without_heading, f"no Submodels subsection is headed by: {without_heading}"


def cites_or_disclaims(body: str) -> bool:
    """A line naming "Seed passages" cites a seed file 000..004, or the subsection says explicitly
    that there is "no seed passage"."""
    lines = [line for line in body.splitlines() if "Seed passages" in line]
    return bool(lines) and (any(SEED.search(line) for line in lines) or "no seed passage" in body.lower())


@pytest.mark.parametrize("module", MECHANISMS)
def test_each_submodel_cites_a_seed_passage(module):
    subs = subsections(section(odd_text(), 7))
    heading = next((h for h in subs if f"sim/model/{module}.py" in h), None)
    assert heading is not None, f"no Submodels subsection for sim/model/{module}.py"
    body = subs[heading]
    assert "Seed passages" in body, f"subsection {heading!r} has no 'Seed passages' line"
    assert cites_or_disclaims(body), (
        f"subsection {heading!r}: its Seed passages line cites no seed file 000..004 and it does not "
        "say 'no seed passage'"
    )


def test_every_subsection_of_submodels_cites_or_disclaims():
    """Also any subsection beyond the mechanism modules, should one be added."""
    subs = subsections(section(odd_text(), 7))
    assert len(subs) >= len(MECHANISMS)
    bad = [heading for heading, body in subs.items() if not cites_or_disclaims(body)]
    assert not bad, f"subsections without a seed citation or an explicit 'no seed passage': {bad}"


def test_readme_quick_start_is_two_commands():
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^## Quick start\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, "README.md has no '## Quick start' section"
    block = re.search(r"^```[^\n]*\n(.*?)^```", m.group(1), re.M | re.S)
    assert block, "the quick start has no code block"
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    commands = [c for c in commands if c]
    assert commands == ["./dev run", "./dev test"], commands


def docking_tests() -> dict[tuple[str, str], str]:
    """(file, function) of every module-level test function of the docking and pattern files, mapped to
    its xfail mark: "all" (``pytest.mark.xfail`` on the function), "some" (on some of its parameters)
    or "" (none)."""
    out = {}
    for name in (*DOCKING_FILES, *PARTLY_DOCKING):
        source = (ROOT / "tests" / name).read_text(encoding="utf-8")
        for node in ast.parse(source).body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith(PARTLY_DOCKING.get(name, "test_"))):
                continue
            marks = [ast.get_source_segment(source, d) or "" for d in node.decorator_list]
            out[name, node.name] = ("all" if any(m.startswith("pytest.mark.xfail") for m in marks)
                                    else "some" if any("xfail" in m for m in marks) else "")
    return out


def summary_rows() -> list[dict[str, str]]:
    """The Summary table of docs/validation.md, one dict per row keyed by the header's column names."""
    text = VALIDATION.read_text(encoding="utf-8")
    m = re.search(r"^## Summary\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, "docs/validation.md has no '## Summary' section"
    lines = [line.strip() for line in m.group(1).splitlines() if line.strip().startswith("|")]
    assert len(lines) > 2, "the Summary section has no table"

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    header = cells(lines[0])
    assert "test" in header and "status" in header, header
    rows = []
    for line in lines[2:]:
        row = cells(line)
        assert len(row) == len(header), f"a Summary row has {len(row)} cells, the header {len(header)}: {line[:120]}"
        rows.append(dict(zip(header, row, strict=True)))
    return rows


def test_validation_summary_names_every_docking_and_pattern_test():
    tests = docking_tests()
    named: dict[tuple[str, str], list[str]] = {}
    for row in summary_rows():
        found = TABLE_TEST.findall(row["test"])
        assert found, f"a Summary row names no tests/file.py::function: {row['test']!r}"
        for key in found:
            named.setdefault(key, []).append(row["status"])
    missing = sorted(f"{f}::{t}" for f, t in tests if (f, t) not in named)
    assert not missing, f"docs/validation.md's Summary table has no row for: {missing}"
    unknown = sorted(f"{f}::{t}" for f, t in named if (f, t) not in tests)
    assert not unknown, f"the Summary table names tests that do not exist (or are not docking tests): {unknown}"
    for key, statuses in named.items():
        strict = ["strict expected failure" in s for s in statuses]
        ok = {"all": all, "some": any}.get(tests[key], lambda xs: not any(xs))(strict)
        assert ok, f"{key[0]}::{key[1]}: xfail mark {tests[key]!r}, but its rows' status says {statuses}"
