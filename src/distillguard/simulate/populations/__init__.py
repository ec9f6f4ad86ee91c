"""Simulated populations, registered by name: legitimate customers and distillation operators."""

from __future__ import annotations

from distillguard.simulate.populations import (  # noqa: F401  (registers them)
    datagen,
    education,
    legit,
    operators,
    saas,
    stealth,
)
from distillguard.simulate.populations._base import POPULATIONS, Population, campaign_id_of, register

__all__ = ["POPULATIONS", "Population", "campaign_id_of", "register"]
