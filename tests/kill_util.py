"""Start an `alignsim` command in its own process group and SIGKILL it (workers too) once it has
committed its first runs part: the kill tests of the sweep and of compare."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parts(out: Path) -> int:
    folder = out / "runs"
    return len([p for p in folder.iterdir() if p.name.startswith("part-")]) if folder.is_dir() else 0


def kill_after_first_part(argv: list[str], out: Path, cwd: Path, env: dict[str, str] | None = None) -> float:
    """Run ``python -m sim ARGV``; kill it without warning once ``out`` has a runs part. Returns the
    seconds from start to kill; fails if the command ended first."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "sim", *argv], cwd=cwd, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = start + 120
        while parts(out) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"the command ended before it could be killed: {proc.stderr.read()!r}"
        os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its workers, without warning
        return time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.wait(timeout=30)
        proc.stderr.close()
