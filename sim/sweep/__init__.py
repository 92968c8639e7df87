"""Research sweeps: experiment files, designs, executors, a resumable results store, and the
analysis (:mod:`sim.sweep.analysis`: point tables and sensitivity indices; its ``analysis/`` folder
and figures are written by :mod:`sim.report.sweep_analysis` in the reports layer above)."""
