"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

import distillguard.cli.simulate  # noqa: F401
from distillguard.cli import hub  # noqa: F401
import distillguard.cli.gateway  # registers gateway; the next line registers policy, decisions, override
import distillguard.cli.policy  # noqa: F401
from distillguard.cli import version  # noqa: F401
