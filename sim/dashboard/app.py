"""The workshop page: Mesa's SolaraViz (play, pause, step, reset, speed, the set-up and the
step counter in the sidebar) plus the custom components of :mod:`~sim.dashboard.components`.

Served by :mod:`~sim.dashboard.server` (``alignsim workshop``); the scenario it opens with comes
from the environment variable ``ALIGNSIM_WORKSHOP_SCENARIO`` (default ``baseline``).
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import Slider, SolaraViz

from sim.api import bundled_scenarios

from .components import CSS, AppBarItems, ExportLink, Header, LeaderOptions, LiveSettings, Message, Views
from .presets import CORE, SIZES
from .server import SCENARIO_ENV
from .state import Workshop

PLAY_INTERVAL_MS = 1


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV, "baseline")


def setup_params(scenario: str, seed: int) -> dict:
    """The set-up SolaraViz offers under "Model Parameters"; it applies when Reset is pressed."""
    names = list(bundled_scenarios())
    if scenario not in names:
        names.insert(0, scenario)
    return {
        "scenario_name": {"type": "Select", "value": scenario, "values": names, "label": "Scenario"},
        "size": {"type": "Select", "value": "workshop", "values": list(SIZES), "label": "Organisation size"},
        "seed": Slider("Seed", value=seed, min=0, max=max(100, seed), step=1),
        "twin": {"type": "Checkbox", "value": False, "label": "Twin mode: A and B side by side"},
        "twin_lever": {"type": "Select", "value": "resilience", "values": list(CORE), "label": "B differs in"},
        "twin_value": Slider("B's value", value=0.85, min=0.0, max=1.0, step=0.05),
    }


@solara.component
def SidebarCards(model, message, who, style):
    """Our sidebar cards.  Solara orders sidebar content by component depth, shallowest first, so
    these sit one level deeper than SolaraViz's own cards (Controls, Model Parameters,
    Information) to come after them."""
    _SidebarCards(model, message, who, style)


@solara.component
def _SidebarCards(model, message, who, style):
    with solara.Sidebar():
        LiveSettings(model, message)
        LeaderOptions(model, who, style)


@solara.component
def Page():
    scenario = start_scenario()
    first = solara.use_memo(lambda: Workshop(scenario_name=scenario), [])
    model = solara.use_reactive(first)
    metric = solara.use_reactive("backlog")
    message = solara.use_reactive("")
    who = solara.use_reactive("")
    style = solara.use_reactive("random")
    exported = solara.use_reactive(())
    with solara.Column(gap="0px") as main:  # one root, so that AppLayout adds no drawer of its own
        solara.Style(CSS)
        solara.Title("alignsim workshop")
        SolaraViz(model, components=[], model_params=setup_params(scenario, first.root_seed),
                  play_interval=PLAY_INTERVAL_MS, render_interval=1, name="alignsim workshop")
        SidebarCards(model, message, who, style)
        AppBarItems(model, message, who, style, metric, exported)
        with solara.Column(gap="8px"):
            Header(model, metric)
            Message(message)
            ExportLink(exported)
            Views(model, metric)
    return main
