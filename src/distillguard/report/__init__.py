"""Detection reports: the JSON contract of DESIGN.md, an HTML page, and a terminal summary."""

from distillguard.report._html import render_html, write_html
from distillguard.report._model import DetectionReport, ReportWindow, format_ts, parse_ts

__all__ = ["DetectionReport", "ReportWindow", "format_ts", "parse_ts", "render_html", "write_html"]
