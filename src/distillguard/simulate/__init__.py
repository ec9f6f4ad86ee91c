"""Traffic simulator: labelled API traffic with legitimate customers and distillation campaigns.

No real labelled distillation traffic is public, so distillguard is developed and benchmarked against
traffic simulated from what providers have described publicly: Anthropic's February 2026 report on
distillation campaigns (tens of thousands of fraudulent accounts in "hydra" clusters, chain-of-thought
harvesting, rubric-based grading that uses the model as a reward model, censorship-safe rewrites,
agentic and coding trace harvesting, traffic that pivots to a new model within a day of its release),
Google's report on reasoning-trace coercion (asking for the full reasoning, in the user's language) and
OpenAI's on obfuscated third-party routers and proxies.

``simulate(SimulationConfig(...))`` writes, into ``out_dir``:

- ``traffic.jsonl`` (or ``.jsonl.gz``): one canonical request-log line per request (DESIGN.md input
  contract), sorted by time, written day by day so memory does not grow with the run;
- ``labels.jsonl``: one :class:`AccountLabel` per account that sent traffic (population, malicious,
  campaign id, hard-negative mark, first request);
- ``meta.json``: seed, platform, time frame, model release times, counts, campaign ground truth.

Populations (``POPULATIONS``, name -> class; ``distillguard simulate --list-populations``):

- legitimate: consumer chat products (fixed persona, multi-turn, diurnal; some call from users'
  devices), coding/agent products (own tools, tool loops), enterprise RAG (one template, temperature 0,
  office hours), nightly batch jobs, evaluation researchers (CoT, logprob multiple choice, LLM-as-judge,
  bursts), thousands of individual developers (some behind shared NAT), a permitted synthetic-data job;
- distillation operators, one campaign each (``op-<name>``): reasoning-trace harvesting, rubric grading,
  a hydra cluster harvesting agentic traces through residential proxies with cover traffic, logprob
  harvesting, censorship-safe rewrites, a new-model pivot, a slow careful operator, and harvesting
  laundered through third-party API routers (many end-user ids behind a few reseller accounts).

Platforms ``A``, ``B`` and ``C`` share the operators (same campaign ids, template families and work
schedules) with different accounts, networks and volumes, and have their own legitimate customers.
The same config gives byte-identical files (every stream is seeded from seed, platform, population and
account), also with ``workers`` > 1.
"""

from __future__ import annotations

from distillguard.simulate._runner import simulate
from distillguard.simulate.config import (
    PLATFORMS,
    PlatformSpec,
    PopulationCount,
    SimulationConfig,
    SimulationSummary,
)
from distillguard.simulate.labels import AccountLabel, read_labels
from distillguard.simulate.populations import POPULATIONS, Population, register

__all__ = [
    "PLATFORMS",
    "POPULATIONS",
    "AccountLabel",
    "PlatformSpec",
    "Population",
    "PopulationCount",
    "SimulationConfig",
    "SimulationSummary",
    "read_labels",
    "register",
    "simulate",
]
