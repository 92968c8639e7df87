"""Parameter draws carried into runs: replicate ``i`` of a scenario runs with draw ``i``.

``alignsim compare --posterior DIR`` reads a calibration's posterior (``sim.calibrate.posterior``)
and hands the comparison a :class:`Draws`: one row of fitted values per replicate, resampled from
the weighted posterior with a generator seeded by the comparison's root seed. Every scenario's
replicate ``i`` then runs with seed ``i`` (as always) *and* draw ``i``, so the replicates'
spread, and the intervals over them, carry parameter uncertainty as well as the run-to-run
(stochastic) one, and scenarios stay paired (same draw, same seed).

A scenario that sets a fitted parameter to a value other than the first scenario's keeps its own
value (that parameter is the what-if: an intervention on it), so draws never undo a what-if.
Lives in the engine so that both the calibration and the comparison can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.inputs.space import set_values


@dataclass(frozen=True)
class Draws:
    names: tuple[str, ...]  # fitted parameters, dotted
    rows: tuple[tuple[float, ...], ...]  # one per replicate
    source: str = ""  # the calibration folder
    keep: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scenario -> fitted names it sets itself

    def values(self, replicate: int) -> dict[str, float]:
        return dict(zip(self.names, self.rows[replicate % len(self.rows)], strict=True))

    def apply(self, params: Any, replicate: int, scenario: str) -> Any:
        """``params`` (ModelParams) with draw ``replicate``'s values, except those ``scenario`` keeps."""
        kept = self.keep.get(scenario, ())
        values = {k: v for k, v in self.values(replicate).items() if k not in kept}
        return set_values(params.model_dump(), values) if values else params

    def info(self) -> dict[str, Any]:
        return {"source": self.source, "names": list(self.names), "draws": [list(r) for r in self.rows],
                "kept": {k: list(v) for k, v in self.keep.items()},
                "rule": "replicate i of every scenario runs with seed i and posterior draw i (resampled by weight "
                        "with SeedSequence(root_seed, spawn_key=(5,))); a scenario whose value of a fitted "
                        "parameter differs from the first scenario's keeps it"}
