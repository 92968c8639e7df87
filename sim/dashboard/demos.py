"""The three ready-made demonstrations of the trainer's guide (docs/workshop.md), by name.

A demonstration is a twin set-up (a scenario, the one lever B differs in and B's value), the node
colour that tells its story and, where the guide asks the trainer to stop, the day to pause at.
``alignsim workshop --demo NAME`` and the page address ``?demo=NAME`` open one in projector mode.
No Solara import here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import InputError


@dataclass(frozen=True)
class Demo:
    scenario: str
    lever: str
    value: float
    metric: str
    pause_at: int = 0  # 0: play to the end
    title: str = ""


DEMOS: dict[str, Demo] = {
    "overreaction": Demo("overreacting-leadership", "resilience", 0.85, "alignment", 0, "Overreaction"),
    "decision-rights": Demo("vague-decision-rights", "ownership", 0.85, "backlog", 180, "Vague decision rights"),
    "burnout": Demo("burnout", "empathy", 0.85, "fatigue", 0, "Burnout"),
}


def check_demo(name: str) -> Demo:
    """The demonstration ``name``, or InputError listing the names."""
    if name not in DEMOS:
        raise InputError("--demo", f"{name!r} is not a demonstration; allowed: {', '.join(DEMOS)}")
    return DEMOS[name]


def setup(name: str) -> dict:
    """The keyword set-up of :class:`~sim.dashboard.state.Workshop` for demonstration ``name``."""
    demo = check_demo(name)
    return {"scenario_name": demo.scenario, "size": "workshop", "twin": True, "twin_lever": demo.lever,
            "twin_value": demo.value}
