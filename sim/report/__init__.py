"""Reports and figures, above the analysis they draw on (no pyplot, no global state).

- :mod:`sim.report.figure`: the KPI figure and the KPI summary table of one run;
  :mod:`sim.report.outputs`: a single run's output folder;
- :mod:`sim.report.compare_report`, :mod:`sim.report.compare_figures`,
  :mod:`sim.report.compare_summary`: a comparison's HTML report, its figures and its plain-language summary;
- :mod:`sim.report.sweep_analysis`, :mod:`sim.report.sweep_plots`: ``alignsim analyze``'s
  ``analysis/`` folder and its figures.
"""

from sim.report.figure import format_summary, kpi_figure, summary_table

__all__ = ["format_summary", "kpi_figure", "summary_table"]
