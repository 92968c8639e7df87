"""The alignsim command line, in-process: outputs, reproducibility and one-line input errors."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest

from sim.cli import main
from sim.report.outputs import FILES

BUNDLED = ("baseline", "pressure-shock", "overreacting-leadership", "vague-decision-rights",
           "unclear-priorities", "burnout", "core-strong")


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    """One short baseline run shared by the tests that only read its outputs: (out dir, stdout)."""
    out = tmp_path_factory.mktemp("runs") / "baseline"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", "baseline", "--steps", "30", "--seed", "5", "--out", str(out)]) == 0
    return out, printed.getvalue()


def test_run_writes_every_file_and_the_manifest(baseline_run):
    out, _ = baseline_run
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5
    assert manifest["steps"] == 30
    for package in ("python", "mesa", "numpy", "networkx", "pandas", "pyarrow", "alignsim"):
        assert manifest["versions"][package], package
    assert manifest["params"]["levers"]["clarity"] == 0.5
    assert manifest["scenario"]["name"] == "baseline"
    assert "git_revision" in manifest
    # no temporary directories left next to the output
    assert [p.name for p in out.parent.iterdir()] == ["baseline"]


def test_run_prints_the_summary_and_where_outputs_are(baseline_run):
    out, printed = baseline_run
    assert "customer friction (" in printed and "customer retention (last day)" in printed
    assert str(out) in printed


def test_same_seed_gives_identical_timeseries(tmp_path, baseline_run):
    again = tmp_path / "again"
    assert main(["run", "baseline", "--steps", "30", "--seed", "5", "--out", str(again), "--quiet"]) == 0
    assert (again / "timeseries.csv").read_bytes() == (baseline_run[0] / "timeseries.csv").read_bytes()


def test_rerun_replaces_an_earlier_run_and_set_reaches_the_manifest(tmp_path, capsys, baseline_run):
    out = tmp_path / "o"
    shutil.copytree(baseline_run[0], out)  # an earlier run (seed 5) in the output directory
    args = ["run", "baseline", "--steps", "30", "--seed", "2", "--out", str(out), "-q",
            "--set", "levers.clarity=0.9"]
    code, _, err = run(args, capsys)
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 2
    assert manifest["params"]["levers"]["clarity"] == 0.9
    assert manifest["scenario"]["overrides"] == ["levers.clarity=0.9"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


SHOCK_AT_400 = 'name = "late"\n[[events]]\ntype = "shock"\nstep = 400\n'
ORG_CSV = ("id,name,manager_id,kind,division,office,headcount,depends_on\n"
           "ceo,Ada,,executive,,,,\n"
           "ops,Operations,ceo,manager,Operations,,,\n"
           "t1,Claims intake,nobody,team,Operations,front,7,\n")


@pytest.mark.parametrize(("args", "files", "expected"), [
    (["nosuch-scenario"], {}, ["nosuch-scenario", "baseline"]),
    (["baseline", "--set", "levers.clarit=0.9"], {}, ["levers.clarit", "clarity"]),
    (["baseline", "--set", "levers.clarity=1.7"], {}, ["levers.clarity", "1.7", "<= 1"]),
    (["baseline", "--steps", "0"], {}, ["--steps", "0", ">= 1"]),
    (["baseline", "--seed", "-1"], {}, ["--seed", "-1", ">= 0"]),
    (["bad.toml"], {"bad.toml": 'name = "x"\n[levers\nclarity = 0.5\n'}, ["bad.toml", "line 2"]),
    (["late.toml"], {"late.toml": SHOCK_AT_400}, ["late.toml", "events[0].step", "400"]),
    (["org.toml"], {"org.toml": '[org]\nchart = "chart.csv"\n', "chart.csv": ORG_CSV},
     ["chart.csv", "row 4", "manager_id", "nobody"]),
    (["range.toml"], {"range.toml": '[[events]]\ntype = "shock"\nstep = -3\n'},
     ["range.toml", "events[0].step", "-3", ">= 1"]),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, monkeypatch, capsys, args, files,
                                                         expected):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    extra = [] if "--steps" in args else ["--steps", "30"]
    code, _, err = run(["run", *args, *extra, "--out", "o"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("alignsim: error: ")
    assert "Traceback" not in err
    for word in expected:
        assert word in lines[0], (word, lines[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no out dir, no temp dir


def test_usage_errors_are_one_line(capsys):
    for args in (["frobnicate"], ["run"], ["run", "baseline", "--steps", "abc"], []):
        code, _, err = run(args, capsys)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and err.startswith("alignsim: error: "), err


def test_out_dir_with_foreign_files_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    code, _, err = run(["run", "baseline", "--steps", "30", "--out", str(tmp_path)], capsys)
    assert code == 2 and "not an alignsim run" in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_scenarios_lists_the_bundled_scenarios(capsys):
    code, out, _ = run(["scenarios"], capsys)
    assert code == 0
    names = [line.split()[0] for line in out.strip().splitlines()]
    assert set(BUNDLED) <= set(names), set(BUNDLED) - set(names)
    assert all(len(line.split(maxsplit=1)) == 2 for line in out.strip().splitlines())


def test_params_markdown_table(capsys):
    code, out, _ = run(["params", "--markdown"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("| Parameter |")
    assert any("`levers.clarity`" in line and "[0, 1]" in line for line in lines)
    assert all(line.startswith("|") and line.endswith("|") for line in lines)


def test_params_plain_text(capsys):
    code, out, _ = run(["params"], capsys)
    assert code == 0
    assert "pressure.baseline" in out and "events[type=shock].step" in out


def test_failed_write_leaves_the_earlier_run_and_no_temporary_files(tmp_path, monkeypatch, baseline_run):
    import sim.report.figure
    from sim.api import load_scenario, run_scenario
    from sim.report.outputs import write_run

    out = tmp_path / "o"
    shutil.copytree(baseline_run[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    scenario = load_scenario("baseline")
    result = run_scenario(scenario, seed=9, steps=5)

    def broken(*_args, **_kwargs):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(sim.report.figure, "kpi_figure", broken)
    with pytest.raises(RuntimeError):
        write_run(result, scenario, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_git_revision_is_read_without_git(tmp_path):
    from sim.runner.manifest import git_revision

    assert git_revision(tmp_path) is None
    (tmp_path / ".git" / "refs" / "heads").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert git_revision(tmp_path / "sub") is None  # no commit yet
    (tmp_path / ".git" / "refs" / "heads" / "main").write_text("0123abcd\n")
    assert git_revision(tmp_path / "sub") == "0123abcd"
