"""The documentation stays in step with the code.

(a) docs/ODD.md's parameter table is exactly what ``alignsim params --markdown`` prints now.
(b) docs/ODD.md's Submodels section names every mechanism module of sim/model, and each of its
    subsections cites a seed passage (000..004) or says explicitly that there is no seed passage.
(c) The README's quick start is two commands: ``./dev run`` and ``./dev test``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim import cli

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
README = ROOT / "README.md"
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
