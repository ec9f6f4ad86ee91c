"""Detection reports: the JSON contract of DESIGN.md, an HTML page, and a terminal summary."""

from distillguard.report._html import render_html, write_html
from distillguard.report._model import DetectionReport, ReportWindow, format_ts, parse_ts
from distillguard.report._terminal import print_summary

__all__ = [
    "DetectionReport",
    "ReportWindow",
    "format_ts",
    "parse_ts",
    "print_summary",
    "render_html",
    "write_html",
]
