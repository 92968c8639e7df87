"""What-if analysis for strategists: compare scenarios over paired replicates.

- :mod:`sim.compare.runner`: the design (scenarios x replicates, leverage variants) and its run function on the engine;
- :mod:`sim.compare.study`: validate inputs, plan the runs, run them;
- :mod:`sim.compare.stats`: means, paired differences and relative changes with t intervals;
- :mod:`sim.compare.attribution`: friction by cause, division and unit;
- :mod:`sim.compare.leverage`: which CORE lever moves customer friction most;
- :mod:`sim.compare.store`: the saved results (the engine's store and a manifest);
- :mod:`sim.compare.tables`, :mod:`sim.compare.figures`, :mod:`sim.compare.summary`,
  :mod:`sim.compare.report`: the report;
- :mod:`sim.compare.cli`: ``alignsim compare`` and ``alignsim report``.
"""
