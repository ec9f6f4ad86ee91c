"""Prometheus text exposition (format 0.0.4) for the gateway, without a client library.

The handful of series the gateway exports do not justify a dependency: counters and gauges with labels,
rendered on scrape. Counters are only incremented from the event loop or under the detection thread's own
series, so no lock is needed for a consistent enough scrape.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[tuple[str, str], ...]


@dataclass
class Series:
    name: str
    kind: str  # "counter" or "gauge"
    help: str
    values: dict[Labels, float] = field(default_factory=lambda: defaultdict(float))

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        self.values[tuple(sorted(labels.items()))] += amount

    def set(self, value: float, **labels: str) -> None:
        self.values[tuple(sorted(labels.items()))] = value

    def replace(self, values: dict[Labels, float]) -> None:
        self.values = defaultdict(float, values)

    def get(self, **labels: str) -> float:
        return self.values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        for labels, value in sorted(dict(self.values).items()):
            inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
            lines.append(f"{self.name}{{{inner}}} {value:g}" if inner else f"{self.name} {value:g}")
        return "\n".join(lines)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class GatewayMetrics:
    def __init__(self) -> None:
        self.requests = Series(
            "distillguard_gateway_requests_total",
            "counter",
            "Requests answered, by endpoint and HTTP status.",
        )
        self.enforced = Series(
            "distillguard_gateway_enforced_total", "counter", "Requests refused by policy, by action."
        )
        self.decisions = Series(
            "distillguard_gateway_decisions", "gauge", "Accounts under each decision in force, by action."
        )
        self.decisions_recorded = Series(
            "distillguard_gateway_decisions_recorded_total",
            "counter",
            "Decisions written to the audit trail.",
        )
        self.cycle_seconds = Series(
            "distillguard_gateway_detection_cycle_seconds", "gauge", "Duration of the last detection cycle."
        )
        self.cycle_seconds_sum = Series(
            "distillguard_gateway_detection_cycle_seconds_sum", "counter", "Total time spent in detection."
        )
        self.cycles = Series(
            "distillguard_gateway_detection_cycles_total",
            "counter",
            "Detection cycles, by result (ok, error).",
        )
        self.window_events = Series(
            "distillguard_gateway_window_events", "gauge", "Events in the in-memory sliding window."
        )
        self.policy_reloads = Series(
            "distillguard_gateway_policy_reloads_total", "counter", "Policy reloads, by result (ok, refused)."
        )

    def all(self) -> tuple[Series, ...]:
        return (
            self.requests,
            self.enforced,
            self.decisions,
            self.decisions_recorded,
            self.cycle_seconds,
            self.cycle_seconds_sum,
            self.cycles,
            self.window_events,
            self.policy_reloads,
        )

    def render(self) -> str:
        return "\n".join(series.render() for series in self.all()) + "\n"
