"""Calibration: fit a scenario's parameters to an organisation's own KPI history by ABC-SMC.

- :mod:`sim.calibrate.mapping`: how a client's KPI maps to a model output (defaults, mapping file);
- :mod:`sim.calibrate.history`: the history CSV, read and checked row by row;
- :mod:`sim.calibrate.abc`: a small deterministic ABC-SMC (why not pyabc: docs/calibration.md);
- :mod:`sim.calibrate.simulate`: the simulations on the engine's executors and store (resumable);
- :mod:`sim.calibrate.study`: plan (every input checked) and execute; posterior tables;
- :mod:`sim.calibrate.posterior`: reading a calibration folder's posterior draws (for compare).

The output folder is written by :mod:`sim.report.calibration`; the command is
:mod:`sim.cli.calibrate`.
"""
