"""Bad experiment files and flags: one line on stderr, exit code 2, nothing written."""

from __future__ import annotations

import pytest
from test_sweep_helpers import callable_experiment

from sim.cli import main
from sim.sweep.experiment import load_experiment

GOOD = """\
scenario = "baseline"
set = ["org.teams=4"]
steps = 10
replicates = 1
seed = 3

[design]
kind = "lhs"
samples = 4

[[parameters]]
name = "levers.clarity"
range = [0.0, 1.0]

[outputs]
final = ["retention"]
mean = ["friction_index"]
"""

# (what is wrong, text replaced, replacement, words the message must contain)
CASES = [
    ("unknown parameter", 'name = "levers.clarity"', 'name = "levers.clarty"',
     ["parameters[0].name", "levers.clarty", "did you mean 'levers.clarity'"]),
    ("unknown section", 'name = "levers.clarity"', 'name = "leverz.clarity"', ["parameters[0].name", "leverz"]),
    ("not a number", 'name = "levers.clarity"', 'name = "org.chart"', ["parameters[0].name", "not a number"]),
    ("the seed", 'name = "levers.clarity"', 'name = "seed"', ["parameters[0].name", "reserved"]),
    ("the steps", 'name = "levers.clarity"', 'name = "steps"', ["parameters[0].name", "set steps in the experiment"]),
    ("range beyond the parameter's", "range = [0.0, 1.0]", "range = [0.5, 1.5]",
     ["parameters[0].range", "[0.5, 1.5]", "must lie in [0, 1]"]),
    ("reversed range", "range = [0.0, 1.0]", "range = [0.8, 0.2]", ["parameters[0].range", "low < high"]),
    ("range of one number", "range = [0.0, 1.0]", "range = [0.5]", ["parameters[0].range"]),
    ("unknown design", 'kind = "lhs"', 'kind = "halton"',
     ["design.kind", '"halton"', '"grid", "lhs", "sobol", "morris"']),
    ("missing design kind", 'kind = "lhs"', "", ["design.kind", "required but missing"]),
    ("missing seed", "seed = 3\n", "", ["field seed", "required but missing"]),
    ("missing parameters", '[[parameters]]\nname = "levers.clarity"\nrange = [0.0, 1.0]\n', "",
     ["field parameters", "required but missing"]),
    ("missing samples", "samples = 4\n", "", ["design.samples", "required but missing"]),
    ("unknown field", "replicates = 1", "replicate = 1", ["replicate", "unknown field"]),
    ("zero replicates", "replicates = 1", "replicates = 0", ["replicates", "must be >= 1"]),
    ("Sobol N not a power of two", 'kind = "lhs"\nsamples = 4', 'kind = "sobol"\nsamples = 48',
     ["design.samples", "power of two"]),
    ("levels in a sampled design", "range = [0.0, 1.0]", "levels = [0.1, 0.2]",
     ["parameters[0].levels", "only grid designs"]),
    ("grid without levels", 'kind = "lhs"\nsamples = 4', 'kind = "grid"', ["parameters[0].levels", "required"]),
    ("unknown output", 'final = ["retention"]', 'final = ["retension"]',
     ["outputs.final[0]", "'retension'", "did you mean 'retention'"]),
    ("no outputs", 'final = ["retention"]\nmean = ["friction_index"]', "", ["outputs", "required but missing"]),
    ("window past the end", 'mean = ["friction_index"]', 'mean = ["friction_index"]\nwindow = [5, 99]',
     ["outputs.window", "[5, 99]"]),
    ("division of a non-lever", 'range = [0.0, 1.0]', 'range = [0.0, 1.0]\ndivision = "Division A"\n'
     '[[parameters]]\nname = "pressure.noise"\ndivision = "Division A"\nrange = [0.0, 0.1]',
     ["parameters[1].division", "only levers"]),
    ("unknown division", 'range = [0.0, 1.0]', 'range = [0.0, 1.0]\ndivision = "Division Q"',
     ["parameters[0].division", "'Division Q'", "Division A"]),
    ("bad override", 'set = ["org.teams=4"]', 'set = ["org.teams=-4"]', ["field set", "org.teams"]),
    ("unknown scenario", 'scenario = "baseline"', 'scenario = "no-such-scenario"', ["field scenario"]),
    ("steps out of range", "steps = 10", "steps = 0", ["field steps", "must be >= 1"]),
    ("invalid TOML", "seed = 3", "seed = = 3", ["invalid TOML"]),
    ("task that cannot be imported", 'scenario = "baseline"', 'task = "no_such_module:f"\nscenario = "baseline"',
     ["field task", "no_such_module"]),
    ("core-only field with another task", 'scenario = "baseline"', 'task = "ishigami"\nscenario = "baseline"',
     ["field scenario", "core task only"]),
]


def _sweep(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["sweep", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_good_file_loads(tmp_path):
    """The base of the cases below is valid, so each case fails for its own reason only."""
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    experiment = load_experiment(path)
    assert experiment.names == ["levers.clarity"] and experiment.integer == [False]
    assert experiment.task.setup.steps == 10 and experiment.task.setup.window == (1, 10)


@pytest.mark.parametrize(("what", "old", "new", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_experiment_file_gives_one_line_and_exit_2_and_writes_nothing(tmp_path, capsys, what, old, new,
                                                                           words):
    assert old in GOOD, what
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "out"
    code, printed, err = _sweep([str(path), "--out", str(out), "--jobs", "1"], capsys)
    assert code == 2, err
    assert printed == ""
    assert err.startswith("alignsim: error: ") and err.count("\n") == 1, err
    assert "bad.toml" in err, err
    for word in words:
        assert word in err, f"{what}: {word!r} not in {err!r}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


@pytest.mark.parametrize(("args", "words"), [
    (["--jobs", "0"], ["--jobs", "must be >= 1"]),
    (["--jobs", "two"], ["--jobs", "not an integer"]),
    (["--chunk", "0"], ["--chunk", "must be >= 1"]),
    (["--dask", " "], ["--dask", "local"]),
])
def test_bad_flags(tmp_path, capsys, args, words):
    path = callable_experiment(tmp_path / "ok.toml", "seeded")
    code, _, err = _sweep([str(path), "--out", str(tmp_path / "out"), *args], capsys)
    assert code == 2 and err.count("\n") == 1, err
    for word in words:
        assert word in err, err
    assert not (tmp_path / "out").exists()


def test_missing_experiment_file(tmp_path, capsys):
    code, _, err = _sweep([str(tmp_path / "nope.toml")], capsys)
    assert code == 2 and "nope.toml: no such file" in err


def test_out_holding_other_files_is_refused(tmp_path, capsys):
    path = callable_experiment(tmp_path / "ok.toml", "seeded")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = _sweep([str(path), "--out", str(out), "--jobs", "1"], capsys)
    assert code == 2 and "not a sweep" in err, err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_analyze_refuses_a_directory_that_is_not_a_sweep(tmp_path, capsys):
    code = main(["analyze", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "not a sweep" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
