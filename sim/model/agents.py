"""Mesa agents: real agents with identity, placed on the org graph, reading their state from
the model's arrays (the rules update the arrays in bulk; agents are views for inspection,
the dashboard and Mesa's AgentSet)."""

from __future__ import annotations

import mesa
import numpy as np

from .params import LEVERS, THEMES


class OrgUnitAgent(mesa.Agent):
    """An executive, a manager or a team: node ``unit`` of the org graph."""

    kind = "unit"

    def __init__(self, model, unit: int, name: str):
        super().__init__(model)
        self.unit = unit
        self.name = name

    @property
    def levers(self) -> dict[str, float]:
        return dict(zip(LEVERS, self.model.state.lever[self.unit].tolist(), strict=True))

    @property
    def reading(self) -> dict[str, float]:
        return dict(zip(THEMES, self.model.state.reading[self.unit].tolist(), strict=True))

    @property
    def engagement(self) -> float:
        return float(self.model.state.engagement[self.unit])

    @property
    def division(self) -> str:
        st = self.model.state
        return st.division_names[st.division[self.unit]]


class Executive(OrgUnitAgent):
    """Holds the strategic intent (its reading is the intent), reads KPIs, decides pivots."""

    kind = "executive"


class Manager(OrgUnitAgent):
    """Leads a unit; relays intent; holds decision rights; its own CORE values and engagement."""

    kind = "manager"


class Team(OrgUnitAgent):
    """Front or back office; headcount, capacity, queue, reading, fatigue, engagement."""

    kind = "team"

    @property
    def index(self) -> int:
        return int(self.model.state.unit_team[self.unit])

    @property
    def front_office(self) -> bool:
        return bool(self.model.state.front[self.index])

    @property
    def fatigue(self) -> float:
        return float(self.model.state.fatigue[self.index])

    @property
    def headcount(self) -> int:
        return int(self.model.state.headcount[self.index])

    @property
    def backlog(self) -> int:
        st = self.model.state
        return int(np.count_nonzero((st.stage == 1) & (st.loc == self.index)
                                    | (st.stage == 3) & (st.loc == self.index)))


class Customer(mesa.Agent):
    """An account served by one front-office team."""

    kind = "customer"

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def satisfaction(self) -> float:
        return float(self.model.state.satisfaction[self.index])

    @property
    def active(self) -> bool:
        return bool(self.model.state.active[self.index])

    @property
    def team(self) -> int:
        return int(self.model.state.team_unit[self.model.state.cust_team[self.index]])


AGENT_CLASSES = {"executive": Executive, "manager": Manager, "team": Team}
