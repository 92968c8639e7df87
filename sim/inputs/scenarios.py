"""Scenarios: finding a scenario file by name or path, reading, overriding and validating it.

Bundled scenario names (``baseline``, ``pressure-shock``, ...) are the files ``scenarios/*.toml``
of the source checkout; an installed (non-editable) package finds them only if they are shipped
as package data under ``sim/scenarios``. A path to any TOML file always works.

Every problem (unknown scenario, TOML syntax, a value out of range, an unknown key, an org chart
row) raises :class:`~sim.errors.InputError` with a one-line message naming the file or flag, the
field, the value and what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import networkx as nx

from sim.errors import InputError
from sim.inputs import space
from sim.inputs.business import Business, pop_business
from sim.inputs.orgchart import read_org_csv
from sim.inputs.tomlfile import read_toml
from sim.model.params import ModelParams

__all__ = ["Scenario", "bundled_scenarios", "display_path", "load_scenario", "looks_like_path", "scenarios_dir"]


# -- bundled scenarios -----------------------------------------------------------------------------
def scenarios_dir() -> Path | None:
    """The directory of the bundled scenarios, or None when it cannot be found.

    The source checkout's ``scenarios/`` first; then ``sim/scenarios`` as package data.
    """
    here = Path(__file__).resolve().parent.parent.parent / "scenarios"  # sim/inputs/ -> the checkout
    if here.is_dir():
        return here
    try:
        shipped = resources.files("sim").joinpath("scenarios")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - defensive
        return None
    return Path(str(shipped)) if shipped.is_dir() else None


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario names mapped to their files, sorted by name (empty without the checkout)."""
    folder = scenarios_dir()
    if folder is None:
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as absolute."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def looks_like_path(text: str) -> bool:
    """Whether a scenario given as text is a file path (else it may be a bundled name)."""
    return text.endswith(".toml") or "/" in text or "\\" in text


def _known_names() -> str:
    names = list(bundled_scenarios())
    return ", ".join(names) if names else "none (bundled scenarios need the source checkout)"


def _locate(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path):
        candidate = name_or_path
    else:
        text = str(name_or_path)
        candidate = Path(text)
        if not looks_like_path(text) and not candidate.is_file():
            found = bundled_scenarios().get(text)
            if found is None:
                close = difflib.get_close_matches(text, list(bundled_scenarios()), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise InputError(f"scenario {text!r}", f"no bundled scenario or file of that name; {hint}"
                                 f"bundled scenarios: {_known_names()}")
            return found
    if not candidate.is_file():
        what = "is a directory, not a TOML file" if candidate.is_dir() else "no such file"
        raise InputError(str(candidate), f"{what}; bundled scenarios: {_known_names()}")
    return candidate


# -- scenarios --------------------------------------------------------------------------------------
@dataclass
class Scenario:
    """A validated scenario: its parameters, the file it came from and its org chart, if any."""

    params: ModelParams
    source: Path | None = None
    graph: nx.DiGraph | None = None
    overrides: tuple[str, ...] = ()
    business: Business | None = None  # [business]: scale and unit costs (never read by the model)
    event_costs: tuple[dict[str, float], ...] = ()  # per costed event: its index, cost once and per year

    @property
    def name(self) -> str:
        """File name without ``.toml`` (for bundled scenarios, the bundled name), else params.name."""
        return self.source.stem if self.source is not None else self.params.name

    @property
    def label(self) -> str:
        """How error messages name the scenario: its file, relative to the working directory."""
        return display_path(self.source) if self.source is not None else self.params.name


def load_scenario(name_or_path: str | Path, overrides: Sequence[str] | None = None) -> Scenario:
    """Load, override and validate a scenario; read its org chart if it names one.

    ``name_or_path``: a bundled scenario name (see :func:`bundled_scenarios`) or a TOML file.
    ``overrides``: ``dotted.key=value`` strings (the CLI's ``--set``), e.g. ``levers.clarity=0.8``
    or ``events[0].step=120``; the value is parsed as TOML, else taken as a string. They are
    applied to the file's contents before validation, so they are validated like the file.
    ``org.chart`` is resolved relative to the scenario file (relative to the working directory
    when it comes from an override). Raises :class:`InputError` with a one-line message.
    """
    if isinstance(overrides, str):
        overrides = [overrides]
    path = _locate(name_or_path)
    file = display_path(path)
    raw = read_toml(path, file)
    business, costs = pop_business(raw, file)  # business settings and event costs: not model parameters
    applied = space.apply_overrides(raw, overrides or ())
    params = space.validate(raw, file, applied)
    graph = None
    if params.org.chart:
        from_cli = ("org", "chart") in applied or ("org",) in applied
        chart = Path(params.org.chart).expanduser()
        if not chart.is_absolute():
            chart = (Path.cwd() if from_cli else path.resolve().parent) / chart
        where = "--set org.chart" if from_cli else f"{file}: field org.chart"
        if not chart.is_file():
            raise InputError(where, f"value {params.org.chart!r} is not allowed: no org chart CSV at {chart}")
        graph = read_org_csv(Path(display_path(chart)))
    return Scenario(params=params, source=path.resolve(), graph=graph, overrides=tuple(overrides or ()),
                    business=business, event_costs=tuple(costs))
