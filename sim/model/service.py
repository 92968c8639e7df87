"""Steps 2-5 of a day, the service system: customers' expectations, demand, hand-offs, decisions
and work (with first-time resolution).  One function, called by the model's step and by the warm
start's burn-in (``sim.model.warmup``), so the two cannot drift apart.  MODEL.md steps 2-5;
docs/ODD.md section 3.
"""

from __future__ import annotations

import numpy as np

from .customers import update_expectations
from .decisions import decide, set_overcheck
from .demand import make_requests
from .handoffs import route
from .params import ModelParams
from .people import first_time_resolution, work_snapshot
from .state import State
from .work import do_work


def serve(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> np.ndarray:
    """One day of service at ``pressure``; returns the request slots finished today (closed by
    ``customers.complete`` later in the day)."""
    update_expectations(st, params, pressure)
    set_overcheck(st, params, pressure)
    make_requests(st, params, rng, pressure)  # 2
    done = route(st, params, rng, pressure)  # 3
    decide(st, params, rng)  # 4
    before = work_snapshot(st)
    first_time_resolution(st, params, rng, before, do_work(st, params))  # 5; engagement reaches service
    return done
