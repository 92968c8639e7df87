"""What every output directory records about how it was made, and the files that hold it.

- :func:`versions`: Python's and the packages' versions (plus optional extras, when asked);
- :func:`git_revision`: the commit of the source checkout, read from ``.git`` (no git process);
- :func:`write_json` and :func:`read_manifest`: a JSON manifest written atomically and read back
  only if it has the expected ``format``;
- :func:`check_out_dir`: the one guard of an output directory (absent, empty, or holding what
  the caller accepts), called before anything runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sim.errors import InputError

PACKAGES = ("alignsim", "mesa", "numpy", "networkx", "pandas", "pyarrow", "pydantic", "matplotlib")
EXTRA_PACKAGES = ("salib", "scipy", "dask", "distributed")


def versions(extra: tuple[str, ...] = ()) -> dict[str, str | None]:
    """Python's version and each package's (None when it is not installed; alignsim's own version
    is always given, see :func:`package_version`)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in (*PACKAGES, *extra):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    found["alignsim"] = found.get("alignsim") or package_version()
    return found


def package_version() -> str:
    """alignsim's version: the installed distribution's, else the ``version`` line of the source
    checkout's ``pyproject.toml`` (run from a plain copy of the sources), else ``"unknown"``.

    Recorded in every manifest, so an output made without a git checkout (an installed wheel, a
    copied folder) still says which alignsim made it."""
    try:
        return version("alignsim")
    except PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"
    try:
        for line in pyproject.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "version":
                return value.strip().strip('"').strip("'") + " (source)"
    except OSError:
        pass
    return "unknown"


def git_revision(start: Path) -> str | None:
    """The commit checked out in the git work tree containing ``start``, read from ``.git``.

    None outside a git checkout or when HEAD cannot be resolved. No git process is started.
    """
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            dot = (folder / text.removeprefix("gitdir:").strip()).resolve()
        if dot.is_dir():
            return _resolve_head(dot)
    return None


def _resolve_head(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head or None
        ref = head.removeprefix("ref:").strip()
        common = git_dir
        if (git_dir / "commondir").is_file():
            common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (git_dir, common):
            if (base / ref).is_file():
                return (base / ref).read_text(encoding="utf-8").strip() or None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name.strip() == ref:
                    return sha
    except OSError:
        return None
    return None


# -- atomic files ------------------------------------------------------------------------------------
def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit_file(tmp: Path, final: Path) -> None:
    """Flush ``tmp`` to disk and rename it to ``final`` (atomic on one file system)."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    fsync_dir(final.parent)


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as JSON under a hidden temporary name, then rename it into place."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        commit_file(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_manifest(folder: Path, fmt: str, name: str = "manifest.json") -> dict[str, Any] | None:
    """The manifest in ``folder`` if it is a JSON object of format ``fmt``, else None."""
    try:
        info = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("format") == fmt else None


def check_out_dir(out_dir: str | Path, accept: Callable[[Path], bool], refusal: str,
                  not_dir: str = "exists and is not a directory; choose another output directory") -> Path:
    """Raise InputError unless ``out_dir`` may receive outputs: absent, empty, or a directory that
    ``accept`` recognises (an earlier output of the same kind); ``refusal`` says why not otherwise."""
    out = Path(out_dir)
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise InputError(str(out), not_dir)
        if any(out.iterdir()) and not accept(out):
            raise InputError(str(out), refusal)
    for parent in out.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(str(out), f"{parent} is not a directory")
    probe_writable(out)
    return out


def probe_writable(out: Path) -> None:
    """Raise InputError unless a folder can be made where ``out`` will be written (beside it, for
    the atomic rename, and inside it when it exists), so that a long run does not find out at
    its end. Probes by making and removing a hidden folder: permissions, a read-only file system
    and a missing mount all show, for root too."""
    out = out.absolute()
    places = [out] if out.is_dir() else []
    places.append(next(p for p in out.parents if p.exists()))
    for place in places:
        try:
            shutil.rmtree(tempfile.mkdtemp(prefix=".alignsim-probe-", dir=place))
        except OSError as exc:
            raise InputError(str(out), f"cannot be written ({exc.strerror or exc} in {place}); "
                             "choose another output directory") from None
