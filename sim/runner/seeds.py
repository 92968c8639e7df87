"""Seeds: every run's integer seed comes from the root seed and the run's spawn key, nothing else.

``run_seed(root, key)`` is the first 64-bit state word of
``numpy.random.SeedSequence(root, spawn_key=key)`` shifted right by one (63 bits: the model's seed
range, and a signed 64-bit column). Spawn keys are what ``SeedSequence.spawn`` would give:

- a comparison: replicate ``i`` of every scenario and leverage variant has key ``(i,)``, i.e.
  ``SeedSequence(root).spawn(n)[i]`` (common random numbers);
- a sweep: run ``i`` has key ``(1, i)``, i.e. ``SeedSequence(root).spawn(2)[1].spawn(runs)[i]``;
  key ``(0,)`` drives the design itself (scrambling, hypercube draws).

So the same key gives the same integer on any machine, executor or number of workers, and any run
replays alone with ``alignsim run SCENARIO --seed SEED``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def run_seed(root: int, spawn_key: tuple[int, ...]) -> int:
    """The integer seed of the run with ``spawn_key`` under ``root``."""
    state = np.random.SeedSequence(int(root), spawn_key=tuple(int(k) for k in spawn_key))
    return int(state.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass(frozen=True)
class Seed:
    replicate: int
    spawn_key: tuple[int, ...]
    seed: int


def replicate_seeds(root: int, n: int) -> list[Seed]:
    """The seeds of replicates 0..n-1 of a comparison: spawn key ``(i,)``."""
    return [Seed(i, (i,), run_seed(root, (i,))) for i in range(int(n))]
