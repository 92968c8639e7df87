"""The architecture is enforced, not described: import-linter's contracts (``.importlinter``: the
layers, the model at the bottom, faces independent, nothing imports the facade, no cycles) and no
private name imported across packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def private_imports_across_packages(root: Path = ROOT / "sim") -> list[str]:
    """``from sim.a.b import _x`` in a module outside ``sim.a``: one line per offence."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim") and node.level == 0:
                for alias in node.names:
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    if private and _package(node.module) != _package(module):
                        where = f"{path.relative_to(root.parent)}:{node.lineno}"
                        found.append(f"{where} imports {node.module}.{alias.name}")
    return found


def test_no_private_name_crosses_a_package():
    assert private_imports_across_packages() == []


def test_the_private_import_check_can_fail(tmp_path):
    pkg = tmp_path / "sim" / "a"
    pkg.mkdir(parents=True)
    (pkg / "m.py").write_text("from sim.b.n import _hidden\nfrom sim.a.k import _fine\n", encoding="utf-8")
    assert private_imports_across_packages(tmp_path / "sim") == ["sim/a/m.py:1 imports sim.b.n._hidden"]
