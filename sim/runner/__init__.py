"""The experiment engine: the one way the model is built and run, and how many runs are executed
and stored.

- :mod:`sim.runner.run`: build_model, run_model, RunResult, run_task (THE build-and-run path);
- :mod:`sim.runner.seeds`: run seeds from the root seed and a spawn key;
- :mod:`sim.runner.tasks`: what workers receive (TaskSpec, RunSpec) and return (Outcome);
- :mod:`sim.runner.executors`: local processes (forkserver), Dask, or this process;
- :mod:`sim.runner.loop`: the loop that keeps the executor busy and commits finished runs; resume;
- :mod:`sim.runner.store`: runs table, metrics and per-run tables as atomic Parquet parts;
- :mod:`sim.runner.progress`: the progress line; :mod:`sim.runner.manifest`: versions, git
  revision, JSON manifests, the output-directory guard;
- :mod:`sim.runner.folders`: writing a folder atomically.

A single run's output folder (``alignsim run``, with its figure) is written by
:mod:`sim.report.outputs`, in the reports layer above.
"""
