"""Vectorised arrival-time draws: diurnal profiles in a timezone, office hours, bursts, regular jobs.

Every function returns sorted float seconds relative to the start of a UTC day, inside [0, 86400).
"""

from __future__ import annotations

import bisect
import math
import random

import numpy as np

DAY = 86400.0

# Relative activity per local hour (0..23).
CONSUMER_PROFILE = np.array(
    [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 9, 8, 8, 8, 8, 9, 10, 12, 13, 12, 9, 5], dtype=float
)
WORKDAY_PROFILE = np.array(
    [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 6, 9, 10, 10, 7, 9, 10, 10, 9, 7, 4, 2.5, 2, 1.5, 1, 0.5],
    dtype=float,
)
OFFICE_PROFILE = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0.2, 3, 9, 10, 10, 6, 9, 10, 9, 8, 4, 0.5, 0, 0, 0, 0, 0], dtype=float
)
FLAT_PROFILE = np.ones(24, dtype=float)


_UTC_PROFILES: dict[tuple[int, int], np.ndarray] = {}


def utc_profile(local_profile: np.ndarray, tz_hours: float) -> np.ndarray:
    """The same activity curve indexed by UTC hour, normalised to probabilities (cached)."""
    shift = round(tz_hours)
    key = (id(local_profile), shift)
    cached = _UTC_PROFILES.get(key)
    if cached is None:
        utc = np.roll(local_profile, -shift)  # utc[h] = local[(h + tz) % 24]
        cached = _UTC_PROFILES[key] = utc / utc.sum()
    return cached


_UTC_CDFS: dict[tuple[int, int], list[float]] = {}


def _utc_cdf(local_profile: np.ndarray, tz_hours: float) -> list[float]:
    key = (id(local_profile), round(tz_hours))
    cdf = _UTC_CDFS.get(key)
    if cdf is None:
        cdf = _UTC_CDFS[key] = np.cumsum(utc_profile(local_profile, tz_hours)).tolist()
    return cdf


def profile_times(gen: np.random.Generator, n: int, local_profile: np.ndarray, tz_hours: float) -> np.ndarray:
    if n <= 0:
        return np.empty(0)
    cdf = _utc_cdf(local_profile, tz_hours)
    hours = np.minimum(np.searchsorted(cdf, gen.random(n), side="right"), 23)
    return np.sort(hours * 3600.0 + gen.random(n) * 3600.0)


def poisson(r: random.Random, lam: float) -> int:
    """A Poisson draw from a scalar stream: Knuth's method for small means, normal approximation above."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(r.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, r.random()
    while product > limit:
        k += 1
        product *= r.random()
    return k


def few_profile_times(r: random.Random, n: int, local_profile: np.ndarray, tz_hours: float) -> list[float]:
    """``profile_times`` for a handful of events: plain Python is cheaper than numpy on tiny arrays."""
    cdf = _utc_cdf(local_profile, tz_hours)
    return sorted(
        min(bisect.bisect_right(cdf, r.random()), 23) * 3600.0 + r.random() * 3600.0 for _ in range(n)
    )


def uniform_times(gen: np.random.Generator, n: int, lo: float = 0.0, hi: float = DAY) -> np.ndarray:
    if n <= 0:
        return np.empty(0)
    return np.sort(lo + gen.random(n) * (hi - lo))


def regular_times(
    gen: np.random.Generator, n: int, start: float, interval: float, jitter: float
) -> np.ndarray:
    """A job processing n items one after another: near-constant spacing with small jitter."""
    if n <= 0:
        return np.empty(0)
    gaps = np.maximum(0.05, interval + gen.normal(0.0, jitter, size=n))
    times = start + np.cumsum(gaps)
    return times[times < DAY]


def window_times(gen: np.random.Generator, n: int, windows: np.ndarray) -> np.ndarray:
    """n times spread over a set of [start, end) windows (rows of ``windows``), weighted by length."""
    if n <= 0 or len(windows) == 0:
        return np.empty(0)
    lengths = windows[:, 1] - windows[:, 0]
    which = gen.choice(len(windows), size=n, p=lengths / lengths.sum())
    return np.sort(windows[which, 0] + gen.random(n) * lengths[which])


def work_windows(gen: np.random.Generator, count: int, min_len: float, max_len: float) -> np.ndarray:
    """Random active windows inside a day (an operator's scheduler ticks)."""
    starts = gen.random(count) * (DAY - max_len)
    lengths = min_len + gen.random(count) * (max_len - min_len)
    return np.stack([starts, starts + lengths], axis=1)


def human_gaps(gen: np.random.Generator, n: int, start: float, median_gap: float) -> np.ndarray:
    """A person's session: lognormal think times between messages."""
    if n <= 0:
        return np.empty(0)
    gaps = gen.lognormal(np.log(median_gap), 0.7, size=n)
    gaps[0] = 0.0
    times = start + np.cumsum(gaps)
    return times[times < DAY]
