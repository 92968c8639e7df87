"""alignsim: an agent-based simulator of organisational alignment (CORE: Clarity, Ownership,
Resilience, Empathy).

Quick start (in a notebook)::

    import sim

    scenario = sim.load_scenario("pressure-shock", overrides=["levers.resilience=0.2"])
    result = sim.run_scenario(scenario, seed=3)
    result.series[["step", "friction_index", "satisfaction"]].tail()

The names below are imported lazily on first use, so ``import sim`` itself is cheap and has no
side effects.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.api import Scenario, build_model, load_scenario, run_scenario
    from sim.errors import InputError
    from sim.model.model import AlignmentModel
    from sim.model.params import ModelParams

__all__ = [
    "AlignmentModel", "InputError", "ModelParams", "Scenario", "__version__", "build_model",
    "load_scenario", "run_scenario",
]

_WHERE = {
    "ModelParams": "sim.model.params",
    "AlignmentModel": "sim.model.model",
    "InputError": "sim.errors",
    "Scenario": "sim.api",
    "load_scenario": "sim.api",
    "build_model": "sim.api",
    "run_scenario": "sim.api",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alignsim")
    except PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
