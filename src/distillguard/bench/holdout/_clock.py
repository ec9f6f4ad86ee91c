"""The observation window and the timing models that place requests in it.

Times are integer epoch milliseconds. Each model draws whole arrays with numpy; no per-request loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

# Relative request intensity by local hour (0..23). Shapes, not constants any detector should know.
PROFILES: dict[str, np.ndarray] = {
    # Consumer apps: quiet at night, lunch bump, evening peak.
    "consumer": np.array(
        [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 9, 8, 8, 8, 9, 10, 12, 14, 15, 13, 9, 5], dtype=float
    ),
    # Office tools: working hours only, lunch dip.
    "office": np.array(
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 7, 10, 10, 9, 6, 9, 10, 10, 8, 5, 2, 1, 0.6, 0.4, 0.2, 0.1]
    ),
    # Developers: late start, long tail into the night.
    "developer": np.array(
        [2, 1.5, 1, 0.5, 0.3, 0.3, 0.5, 1, 3, 6, 8, 9, 8, 9, 10, 10, 9, 8, 7, 7, 6, 5, 4, 3], dtype=float
    ),
    # Students: after school and homework time.
    "school": np.array(
        [0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 2, 2, 2, 2, 2, 3, 4, 8, 10, 10, 11, 12, 11, 8, 4, 1.5]
    ),
    # Machines that never sleep.
    "flat": np.ones(24),
}

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Window:
    """The generated time span and the moment the new model becomes available."""

    start_ms: int
    end_ms: int
    release_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def clip(self, times: np.ndarray) -> np.ndarray:
        """Sorted times inside the window."""
        kept = times[(times >= self.start_ms) & (times < self.end_ms)]
        return np.sort(kept)


def make_window(seed: int, hours: int, release_fraction: float) -> Window:
    """A window starting at 06:00 UTC on a weekday that depends on the seed, so some seeds span weekends."""
    base = datetime(2026, 4, 13, 6, 0, tzinfo=UTC) + timedelta(days=seed % 7)
    start_ms = int(base.timestamp() * 1000)
    end_ms = start_ms + hours * HOUR_MS
    release_ms = start_ms + int(hours * HOUR_MS * release_fraction)
    return Window(start_ms, end_ms, release_ms)


def hourly_weights(window: Window, profile: str, tz_hours: float, weekend: float) -> np.ndarray:
    """Weight of each whole hour of the window for a population living at ``tz_hours`` from UTC."""
    n_hours = max(1, window.duration_ms // HOUR_MS)
    abs_hours = window.start_ms // HOUR_MS + np.arange(n_hours)
    local = abs_hours + tz_hours
    local_hour = np.floor(local).astype(np.int64) % 24
    # 1970-01-01 was a Thursday (index 3 with Monday = 0).
    weekday = (np.floor(local / 24).astype(np.int64) + 3) % 7
    weights = PROFILES[profile][local_hour] * np.where(weekday >= 5, weekend, 1.0)
    return np.asarray(weights, dtype=float)


def profile_times(
    rng: np.random.Generator,
    window: Window,
    n: int,
    profile: str,
    tz_hours: float = 0.0,
    weekend: float = 1.0,
    start_ms: int | None = None,
) -> np.ndarray:
    """``n`` independent arrival times following a daily profile (an inhomogeneous Poisson sample)."""
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    weights = hourly_weights(window, profile, tz_hours, weekend)
    if start_ms is not None:
        first_hour = max(0, (start_ms - window.start_ms) // HOUR_MS)
        weights[:first_hour] = 0.0
    if weights.sum() <= 0:
        return np.empty(0, dtype=np.int64)
    hours = rng.choice(weights.size, size=n, p=weights / weights.sum())
    times = window.start_ms + hours * HOUR_MS + rng.integers(0, HOUR_MS, size=n)
    if start_ms is not None:
        times = times[times >= start_ms]
    return np.sort(times.astype(np.int64))


def sessions(
    rng: np.random.Generator,
    starts: np.ndarray,
    mean_len: float,
    gap_median_s: float,
    gap_sigma: float = 0.8,
) -> list[np.ndarray]:
    """Expand session start times into bursts of requests with log-normal think/tool gaps."""
    lengths = 1 + rng.poisson(max(mean_len - 1, 0.0), size=starts.size)
    gaps = rng.lognormal(np.log(gap_median_s * 1000), gap_sigma, size=int(lengths.sum()))
    out: list[np.ndarray] = []
    offset = 0
    for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        steps = gaps[offset : offset + length].copy()
        steps[0] = 0.0
        out.append((start + np.cumsum(steps)).astype(np.int64))
        offset += length
    return out


def steady_times(
    rng: np.random.Generator, start_ms: int, end_ms: int, rate_per_s: float, jitter: float = 0.3
) -> np.ndarray:
    """A worker pool draining a queue: near-regular spacing with multiplicative jitter."""
    if end_ms <= start_ms or rate_per_s <= 0:
        return np.empty(0, dtype=np.int64)
    mean_gap = 1000.0 / rate_per_s
    n = int((end_ms - start_ms) / mean_gap)
    gaps = mean_gap * rng.uniform(1 - jitter, 1 + jitter, size=n)
    times = start_ms + np.cumsum(gaps)
    return times[times < end_ms].astype(np.int64)


def poisson_times(rng: np.random.Generator, start_ms: int, end_ms: int, rate_per_h: float) -> np.ndarray:
    """A homogeneous Poisson process between two instants."""
    if end_ms <= start_ms or rate_per_h <= 0:
        return np.empty(0, dtype=np.int64)
    n = int(rng.poisson(rate_per_h * (end_ms - start_ms) / HOUR_MS))
    return np.sort(rng.integers(start_ms, end_ms, size=n)).astype(np.int64)


def rfc3339(ms: int) -> str:
    """Whole-second RFC 3339 for account creation times."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
