"""The HTML rendering of a detection report: one self-contained page a reviewer can open offline."""

from __future__ import annotations

from pathlib import Path

import jinja2

from distillguard.report._model import DetectionReport, format_ts

_NEAR_MISSES = 25

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("distillguard.report", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


def render_html(report: DetectionReport) -> str:
    data = report.to_dict()
    unflagged = sorted((a for a in data["accounts"] if not a["flagged"]), key=lambda a: -a["score"])
    flagged = sorted((a for a in data["accounts"] if a["flagged"]), key=lambda a: -a["score"])
    return _ENV.get_template("report.html").render(
        generated_at=format_ts(report.generated_at),
        window_start=data["window"]["start"],
        window_end=data["window"]["end"],
        threshold=data["threshold"],
        events=report.events,
        quarantined=report.quarantined,
        n_accounts=len(data["accounts"]),
        n_flagged=len(flagged),
        campaigns=sorted(data["campaigns"], key=lambda c: -c["score"]),
        flagged=flagged,
        near_misses=unflagged[:_NEAR_MISSES],
    )


def write_html(report: DetectionReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
