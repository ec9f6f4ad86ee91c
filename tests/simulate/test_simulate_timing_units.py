"""Unit checks of the simulator's time draws: local-time profiles shift correctly to UTC."""

from __future__ import annotations

import numpy as np

from distillguard.simulate import _timing as t
from distillguard.simulate._seeding import random_for, rng_for


def test_office_hours_in_a_timezone_east_of_utc_fall_earlier_in_utc() -> None:
    # The office profile is active 07:00-19:00 local; in UTC+8 that is 23:00-11:00 UTC.
    local_hours = [h for h in range(24) if t.OFFICE_PROFILE[h] > 0]
    times = t.profile_times(rng_for(1, "t"), 5000, t.OFFICE_PROFILE, 8.0)
    hours = set(np.floor(times / 3600).astype(int).tolist())
    assert hours <= {(h - 8) % 24 for h in local_hours}
    assert 3 in hours and 15 not in hours  # 11:00 local is busy; 23:00 local is not
    few = t.few_profile_times(random_for(1, "t"), 500, t.OFFICE_PROFILE, -5.0)
    assert {int(x // 3600) for x in few} <= {(h + 5) % 24 for h in local_hours}


def test_poisson_draws_have_the_requested_mean() -> None:
    r = random_for(2, "p")
    for lam in (0.5, 4.0, 80.0):
        draws = [t.poisson(r, lam) for _ in range(4000)]
        assert abs(sum(draws) / len(draws) - lam) < 0.1 * lam + 0.05
    assert t.poisson(r, 0.0) == 0


def test_regular_jobs_stay_inside_the_day() -> None:
    times = t.regular_times(rng_for(3, "j"), 100_000, 80_000.0, 1.0, 0.05)
    assert len(times) > 0 and times.max() < t.DAY and np.all(np.diff(times) > 0)
