"""A light data collector: calls the declared reporters once per step and keeps plain values.

It offers the part of ``mesa.DataCollector``'s interface the project uses
(``collect(model)``, ``model_vars``, ``get_model_vars_dataframe()``), without deep-copying every
value, which cost about a fifth of a workshop-size step.
"""

from __future__ import annotations

from collections.abc import Callable


class Recorder:
    def __init__(self, model_reporters: dict[str, Callable]):
        self.model_reporters = dict(model_reporters)
        self.model_vars: dict[str, list] = {name: [] for name in self.model_reporters}

    def collect(self, model) -> None:
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))

    def get_model_vars_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.model_vars)
