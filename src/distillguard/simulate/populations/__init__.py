"""Simulated populations, registered by name: legitimate customers and distillation operators."""

from __future__ import annotations

from distillguard.simulate.populations import legit, operators  # noqa: F401  (registers the populations)
from distillguard.simulate.populations._base import POPULATIONS, Population, campaign_id_of, register

__all__ = ["POPULATIONS", "Population", "campaign_id_of", "register"]
