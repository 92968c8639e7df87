"""Business units and money: optional settings that turn a comparison's model units into what a
business counts (customers, contacts, complaints, FTE, days) and into money.

They never change a run: the model does not read them, so a scenario with or without them gives
identical outputs. A scenario file may carry them in a ``[business]`` table, and each event may
carry its own cost (``cost_once``, ``cost_per_year``); ``alignsim compare --business FILE`` takes
the table from another TOML file (the reference scenario's otherwise)::

    [business]
    customers_per_simulated = 250     # one simulated customer stands for 250 real customers
    fte_per_person = 1.0              # one simulated team member is this many FTE (default: the chart's FTE)
    contacts_per_friction = 0.4       # customer contacts (calls, e-mails) per friction unit
    complaints_per_friction = 0.02    # formal complaints per friction unit
    currency = "EUR"
    cost_per_fte_day = 420            # fully loaded cost of one FTE for one day
    cost_per_contact = 6.5            # handling cost of one contact
    customer_value_per_year = 380     # margin of one customer per year (or customer_lifetime_value)

    [[events]]
    type = "decision-rights-charter"
    step = 60
    cost_once = 150000                # one-off cost, when the event happens
    cost_per_year = 40000             # running cost, pro rata over the days it runs in the window

Every problem is one :class:`~sim.errors.InputError` line naming the file, the field, the value
and what is allowed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError, did_you_mean

EVENT_COSTS = ("cost_once", "cost_per_year")


def _num(description: str, unit: str, default: float | None = None, gt: bool = False) -> Any:
    limits = {"gt": 0.0} if gt else {"ge": 0.0}
    return Field(default, description=description, json_schema_extra={"unit": unit}, **limits)


class Business(BaseModel):
    """The scale of the simulated organisation and the unit costs (all optional)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    customers_per_simulated: float = _num("real customers one simulated customer stands for", "customers", 1.0,
                                          gt=True)
    fte_per_person: float | None = _num("FTE one simulated team member stands for (default: the org chart's FTE "
                                        "over its whole-person headcount, else 1)", "FTE", gt=True)
    contacts_per_friction: float | None = _num("customer contacts per friction unit", "contacts")
    complaints_per_friction: float | None = _num("formal complaints per friction unit", "complaints")
    currency: str = Field("EUR", min_length=1, max_length=12, description="currency of the costs")
    cost_per_fte_day: float | None = _num("fully loaded cost of one FTE for one day", "currency")
    cost_per_contact: float | None = _num("handling cost of one customer contact", "currency")
    customer_value_per_year: float | None = _num("value (margin) of one customer per year", "currency")
    customer_lifetime_value: float | None = _num("value (margin) of one customer over its lifetime", "currency")

    @model_validator(mode="after")
    def _one_customer_value(self) -> Business:
        if self.customer_value_per_year is not None and self.customer_lifetime_value is not None:
            raise ValueError("give customer_value_per_year or customer_lifetime_value, not both")
        return self

    @property
    def priced(self) -> bool:
        """Whether any money setting is given."""
        return any(v is not None for v in (self.cost_per_fte_day, self.cost_per_contact,
                                           self.customer_value_per_year, self.customer_lifetime_value))


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def parse_business(table: Any, where: str) -> Business:
    """``table`` (a TOML table) as :class:`Business`, else a one-line InputError naming ``where``."""
    if not isinstance(table, dict):
        raise InputError(f"{where}: field business", f"value {_fmt(table)} is not allowed: must be a table "
                         "([business] with keys such as customers_per_simulated, cost_per_fte_day)")
    try:
        return Business.model_validate(table)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        field = "business" + ("." + ".".join(loc) if loc else "")
        if err["type"] == "extra_forbidden":
            allowed = list(Business.model_fields)
            problem = (f"unknown setting {loc[-1]!r}{did_you_mean(loc[-1], allowed)} "
                       f"(allowed in business: {', '.join(allowed)})")
        elif not loc:
            problem = str(err["msg"]).removeprefix("Value error, ")
        else:
            value = err.get("input")
            what = "a number >= 0" if "greater_than_equal" in err["type"] else (
                "a number > 0" if "greater_than" in err["type"] else str(err["msg"]).lower())
            if err["type"] in ("float_parsing", "float_type"):
                what = "a number (e.g. 420)"
            if err["type"] == "finite_number":
                what = "a finite number"
            problem = f"value {_fmt(value)} is not allowed: must be {what}"
        raise InputError(f"{where}: field {field}", problem) from None


def _cost(value: Any, where: str, index: int, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InputError(f"{where}: field events[{index}].{key}",
                         f"value {_fmt(value)} is not allowed: must be a number >= 0 (an amount of money)")
    return float(value)


def pop_business(raw: dict[str, Any], where: str) -> tuple[Business | None, list[dict[str, Any]]]:
    """Take the business settings out of a scenario's table ``raw`` (in place, before the model's
    parameters are validated): the ``[business]`` table and each event's ``cost_once`` and
    ``cost_per_year``. Returns the settings (None without a table) and one entry per costed event
    (its index, once and per_year)."""
    business = parse_business(raw.pop("business"), where) if "business" in raw else None
    costs = []
    events = raw.get("events")
    if isinstance(events, list):
        for i, ev in enumerate(events):
            if not isinstance(ev, dict) or not any(k in ev for k in EVENT_COSTS):
                continue
            once = _cost(ev.pop("cost_once", 0.0), where, i, "cost_once")
            per_year = _cost(ev.pop("cost_per_year", 0.0), where, i, "cost_per_year")
            costs.append({"event": i, "once": once, "per_year": per_year})
    return business, costs


def read_business_file(path: str | Path) -> Business:
    """A TOML file's ``[business]`` table (or its top level, when it has no such table)."""
    from sim.inputs.tomlfile import read_toml

    file = str(path)
    if not Path(path).is_file():
        raise InputError(f"--business {file}", "no such file; give a TOML file with a [business] table")
    raw = read_toml(Path(path), file)
    return parse_business(raw.get("business", raw), file)
