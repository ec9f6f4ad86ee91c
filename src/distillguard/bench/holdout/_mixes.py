"""Population registry and the mixes that combine populations at given sizes and volumes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from distillguard.bench.holdout import _campaigns as campaigns
from distillguard.bench.holdout import _legit as legit
from distillguard.bench.holdout._context import Ctx

Generator = Callable[[Ctx, int], None]


@dataclass(frozen=True)
class Population:
    """A named generator; ``malicious`` says whether its accounts belong to a campaign."""

    name: str
    generate: Generator
    malicious: bool


POPULATIONS: dict[str, Population] = {
    p.name: p
    for p in (
        Population("chat_app", legit.chat_apps, False),
        Population("coding_agent", legit.coding_agents, False),
        Population("enterprise_rag", legit.enterprise_rag, False),
        Population("batch_job", legit.batch_jobs, False),
        Population("eval_research", legit.eval_researchers, False),
        Population("indie_dev", legit.indie_devs, False),
        Population("synthetic_data", legit.synthetic_data, False),
        Population("translation", legit.translation_service, False),
        Population("support_bot", legit.support_bots, False),
        Population("edu_math", legit.edu_math, False),
        Population("labelling_vendor", legit.labelling_vendor, False),
        Population("classroom", legit.classroom, False),
        Population("agent_platform", legit.agent_platform, False),
        Population("api_reseller", legit.api_reseller, False),
        Population("hydra_reasoning", campaigns.hydra_reasoning, True),
        Population("rubric_grader", campaigns.rubric_grader, True),
        Population("logprob_harvest", campaigns.logprob_harvest, True),
        Population("agentic_harvest", campaigns.agentic_harvest, True),
        Population("safe_rewrite", campaigns.safe_rewrite, True),
        Population("model_pivot", campaigns.model_pivot, True),
        Population("slow_operator", campaigns.slow_operator, True),
    )
}


@dataclass(frozen=True)
class Share:
    """How many accounts of a population at scale 1 (never fewer than ``minimum``) and their volume factor."""

    population: str
    accounts: int
    volume: float = 1.0
    minimum: int = 1
    cover: float = 0.0

    def accounts_at(self, scale: float, jitter: float = 1.0) -> int:
        """Accounts at ``scale``; ``jitter`` varies population sizes from seed to seed."""
        return max(self.minimum, round(self.accounts * scale * jitter))


_LEGIT_DEFAULT = (
    Share("chat_app", 6),
    Share("coding_agent", 4),
    Share("enterprise_rag", 5),
    Share("batch_job", 3),
    Share("eval_research", 5, minimum=2),
    Share("indie_dev", 400, minimum=12),
    Share("synthetic_data", 2),
    Share("translation", 2),
    Share("support_bot", 2),
    Share("edu_math", 2),
    Share("labelling_vendor", 2),
    Share("classroom", 30, minimum=8),
    Share("agent_platform", 2),
    Share("api_reseller", 1),
)

MIXES: dict[str, tuple[Share, ...]] = {
    "default": (
        *_LEGIT_DEFAULT,
        Share("hydra_reasoning", 180, minimum=12),
        Share("rubric_grader", 25, minimum=3),
        Share("logprob_harvest", 12, minimum=2),
        Share("agentic_harvest", 15, minimum=2),
        Share("safe_rewrite", 18, minimum=3),
        Share("model_pivot", 30, minimum=3),
        Share("slow_operator", 4, minimum=2),
    ),
    # Many more hard negatives; fewer and quieter campaigns.
    "heavy-legit": (
        Share("chat_app", 12),
        Share("coding_agent", 10),
        Share("enterprise_rag", 12),
        Share("batch_job", 8, volume=0.8),
        Share("eval_research", 14, minimum=2),
        Share("indie_dev", 700, minimum=20),
        Share("synthetic_data", 5, volume=0.8),
        Share("translation", 4),
        Share("support_bot", 5),
        Share("edu_math", 6),
        Share("labelling_vendor", 5),
        Share("classroom", 70, minimum=12),
        Share("agent_platform", 4),
        Share("api_reseller", 2),
        Share("hydra_reasoning", 100, volume=0.45, minimum=10),
        Share("rubric_grader", 8, volume=0.6, minimum=2),
        Share("logprob_harvest", 4, volume=0.5, minimum=2),
        Share("slow_operator", 3, minimum=2),
    ),
    # The same campaigns, slower and diluted with far more cover traffic.
    "stealth": (
        *_LEGIT_DEFAULT,
        Share("hydra_reasoning", 150, volume=0.5, minimum=12, cover=0.35),
        Share("rubric_grader", 20, volume=0.5, minimum=3, cover=0.4),
        Share("logprob_harvest", 10, volume=0.4, minimum=2, cover=0.4),
        Share("agentic_harvest", 10, volume=0.6, minimum=2),
        Share("safe_rewrite", 12, volume=0.5, minimum=3, cover=0.4),
        Share("model_pivot", 20, volume=0.5, minimum=3, cover=0.4),
        Share("slow_operator", 4, volume=0.7, minimum=2),
    ),
    # No campaign at all: for measuring the false-positive floor.
    "legit-only": _LEGIT_DEFAULT,
}
