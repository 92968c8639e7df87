"""Friction provenance: every unit of customer friction is booked to a cause and a unit.

The friction index is a weighted sum of the parts customers feel (seed 000, the CX mirror:
delays, repeated explanations, inconsistent answers, escalations and transfers that reset
progress).  Weights are ``params.customers.friction_weights``.  Delay friction accrues while a
request is overdue against its customer's expectation, booked to the cause holding it up now;
event friction is booked when the event happens, to the unit where it happens.
"""

from __future__ import annotations

import numpy as np

from .state import C_DECISION, C_HANDOFF, C_MISALIGN, C_OVERLOAD, C_PIVOT, CAUSES, DECISION, State

__all__ = ["CAUSES", "book", "book_delays", "holding"]


def book(st: State, cause: int | np.ndarray, units: np.ndarray, amount: float | np.ndarray) -> None:
    """Add ``amount`` friction units to (cause, unit) pairs (vectorised; repeats accumulate)."""
    if np.size(units) == 0:
        return
    shape = np.shape(units)
    if np.ndim(amount) == 0:
        amounts = np.full(shape, amount, dtype=float)
    else:
        amounts = np.broadcast_to(amount, shape).astype(float)
    if np.ndim(cause) == 0:  # one cause: only its row changes (the others would gain +0.0)
        st.friction_step[cause] += np.bincount(np.ravel(units), weights=np.ravel(amounts), minlength=st.U)
        return
    flat = np.asarray(cause) * st.U + units
    st.friction_step += np.bincount(flat, weights=amounts, minlength=len(CAUSES) * st.U).reshape(
        len(CAUSES), st.U)


def holding(st: State, slots: np.ndarray, overload_fatigue: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """The cause holding each request of ``slots`` now and the unit where it is held, in this order
    of precedence: waiting for a decision; work redone after a pivot; a team overloaded or tired; a
    team that ranks the request's theme below the others; a request that crossed a silo; otherwise
    plain queueing (overload)."""
    in_decision = st.stage[slots] == DECISION
    team = np.where(in_decision, 0, st.loc[slots])
    unit = np.where(in_decision, st.loc[slots], st.team_unit[team])
    tired = (st.fatigue[team] > overload_fatigue) | (st.load_ratio[team] > 1.0)
    low_rank = st.reading[st.team_unit[team], st.theme[slots]] < 1.0 / st.reading.shape[1]
    # the first cause that applies, in that order: written from the last to the first
    cause = np.full(slots.size, C_OVERLOAD, dtype=np.int64)  # plain queueing
    cause[st.siloed[slots]] = C_HANDOFF
    cause[low_rank] = C_MISALIGN
    cause[tired] = C_OVERLOAD
    cause[st.reworked[slots]] = C_PIVOT
    cause[in_decision] = C_DECISION
    return cause, unit


def book_delays(st: State, weight: float, overload_fatigue: float = 0.5) -> None:
    """Book one day of lateness for every open request past its customer's expectation, to the
    cause holding it up now (:func:`holding`)."""
    open_ = np.flatnonzero(st.stage != 0)
    cust = st.req_cust[open_]
    expected = st.expected[cust]  # each open request's customer's accepted wait
    overdue = st.active[cust] & (st.age[open_] > expected)
    late = open_[overdue]
    if late.size == 0 or weight == 0:
        return
    cause, unit = holding(st, late, overload_fatigue)
    book(st, cause, unit, weight / expected[overdue])
