"""What-if analysis for strategists: compare scenarios over paired replicates.

- :mod:`sim.compare.runner`: the design (scenarios x replicates, leverage variants) and its run function on the engine;
- :mod:`sim.compare.study`: validate inputs, plan the runs, run them;
- :mod:`sim.compare.stats`: means, paired differences and relative changes with t intervals;
- :mod:`sim.compare.attribution`: friction by cause, division and unit;
- :mod:`sim.compare.handoffs`: friction per hand-off path, a bad hand-off or a big queue;
- :mod:`sim.compare.business`: the KPIs in business units (customers, contacts, complaints, FTE,
  days) and money (net value, return, break-even) from the ``[business]`` settings;
- :mod:`sim.compare.leverage`: which CORE lever moves customer friction most;
- :mod:`sim.compare.store`: the saved results (the engine's store and a manifest);
- :mod:`sim.compare.tables`: the report's tables (CSV), computed from the saved results;
- its command line (``alignsim compare`` and ``alignsim report``) is :mod:`sim.cli.compare`.

The report itself (HTML, figures, the plain-language summary) is written in the reports layer above:
:mod:`sim.report.compare_report`, :mod:`sim.report.compare_figures`, :mod:`sim.report.compare_summary`.
"""
