"""Reporting: the KPI figure and the KPI summary table of one run (no pyplot, no global state)."""

from sim.report.figure import format_summary, kpi_figure, summary_table

__all__ = ["format_summary", "kpi_figure", "summary_table"]
