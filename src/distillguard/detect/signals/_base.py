"""The ``Signal`` base class, its result type and the registry of signals by name.

A signal reads the account feature table and scores every account in [0, 1] against the population
baseline, with the value that drove the score and a sentence template a reviewer can check. Signals are
small classes: ``value`` and ``score`` are polars expressions (so they run vectorised over all accounts at
once) and ``detail`` turns one account's row into the evidence sentence.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from distillguard.detect._baseline import Baseline
from distillguard.detect.config import DetectConfig
from distillguard.detect.types import Evidence
from distillguard.errors import ConfigError


@dataclass(frozen=True)
class SignalContext:
    """What a signal may consult besides the features: the population baseline and the settings."""

    baseline: Baseline
    config: DetectConfig
    # Hours between the first and last event of the scan; enables the persistence damping below.
    window_hours: float | None = None
    # Whether persistence takes active hours as a share of at least ``config.persistence_window_hours``
    # (single accounts) or of the window only (groups: see ``distillguard.detect._campaign``).
    reference_span: bool = True

    def excess(self, column: str | pl.Expr, *, floor: float, name: str | None = None) -> pl.Expr:
        """How unusually high a feature is for this population, mapped to [0, 1].

        0 at ``config.z_low`` robust z-scores above the median or less, 1 at ``config.z_high`` or more.
        """
        z = self.baseline.z(column, name=name, floor=floor)
        return ramp(z, self.config.z_low, self.config.z_high)

    def deficit(self, column: str | pl.Expr, *, floor: float, name: str | None = None) -> pl.Expr:
        """Like ``excess`` for unusually *low* values."""
        z = self.baseline.z(column, name=name, floor=floor)
        return ramp(-z, self.config.z_low, self.config.z_high)

    def confidence(self) -> pl.Expr:
        """Damping for thin evidence: small accounts, and accounts active only in a short burst.

        ``volume()`` times ``persistence()``.
        """
        return self.volume() * self.persistence()

    def volume(self) -> pl.Expr:
        """``requests / (requests + min_requests)``: how far an account's features can be trusted when all
        that is known is how many requests they were measured on."""
        n = pl.col("requests").cast(pl.Float64)
        return n / (n + float(self.config.min_requests))

    def persistence(self) -> pl.Expr:
        """A ramp on the share of the scan window's hours in which the account was active (0 at
        ``config.min_active_share``, 1 at four times that): an evaluation run of two hours in three days of
        traffic is a burst, not a harvesting operation. 1 when the window is unknown or the ramp disabled.

        The share is taken of at least ``config.persistence_window_hours``: a scan of one day (the gateway's
        rolling window, a daily batch job) cannot see the quiet days around a two-hour evaluation run, and
        the same run is no less a burst for it. Not for groups (``reference_span`` False): their
        persistence is the typical member's, which an operator rotating accounts keeps brief by design."""
        if not self.window_hours or self.config.min_active_share <= 0:
            return pl.lit(1.0)
        reference = self.config.persistence_window_hours if self.reference_span else 0.0
        # A window shorter than half the reference (the first hours after deployment) keeps its own span:
        # it holds no quiet hours around a burst, and a campaign's accounts cannot show more persistence
        # than the window holds.
        span = max(self.window_hours, reference if self.window_hours >= reference / 2 else 0.0, 1.0)
        share = pl.col("active_hours").cast(pl.Float64) / span
        low = self.config.min_active_share
        return ramp(share, low, 4 * low).fill_null(1.0)

    def confident_share(self, column: str) -> pl.Expr:
        """The share in ``column`` that the account has shown with 95% confidence (``wilson_lower_bound``
        over its ``requests``); 0 when unknown."""
        return wilson_lower_bound(pl.col(column).fill_null(0.0), pl.col("requests"))

    def share_evidence(
        self, column: str, low: float, high: float, *, shown: pl.Expr | None = None
    ) -> pl.Expr:
        """How surely a per-request share (``column``) reaches ``low`` -> ``high``, damped for thin evidence.

        Two ways to be sure, whichever is surer: the share the account has shown with 95% confidence
        (``confident_share``; a dozen consistent requests are enough), or the observed share damped by
        ``volume()`` (a share over many requests, however mixed). ``shown`` can require more of the first
        way (e.g. a condition it needs measured), as a factor on it.
        """
        confident = ramp(self.confident_share(column), low, high)
        if shown is not None:
            confident = confident * shown
        damped = ramp(pl.col(column).fill_null(0.0), low, high) * self.volume()
        return pl.max_horizontal(confident, damped)


# Payload vocabulary breadth (``word_breadth``) as a fraction of the population's median: at or under a fifth
# of the typical account's, an account pours one product's narrow domain into its requests; from 0.45 on it
# is as broad as anyone's.
NARROW_WORDS_RATIO, BROAD_WORDS_RATIO = 0.2, 0.45
# How much of a harvesting signal survives in a narrow domain.
NARROW_KEEP = 0.5
# Lexical breadth (``lexical_breadth``: vocabulary against the pooled population's at equal sample size) at or
# under which payloads are one domain, and from which they are as varied as a broad account's.
NARROW_LEXICAL, BROAD_LEXICAL = 0.1, 0.25
# The column (added by ``distillguard.detect``; null where unknown) holding it.
LEXICAL_BREADTH = "lexical_breadth"


def domain_breadth(ctx: SignalContext) -> pl.Expr:
    """0 for an account whose payload vocabulary is a narrow domain for this population, 1 when it is broad.

    Null (too few payload words to tell) counts as broad: small accounts are damped by volume anyway.
    Two measures, the narrower one counts: the type-token ratio against the population's median account,
    and (when the feature table has it) ``lexical_breadth``, which compares vocabularies at equal sample
    sizes and so still sees a narrow domain when the population's measurable accounts are narrow too.
    """
    typical = ctx.baseline.median.get("word_breadth", 0.0)
    relative = (
        ramp(pl.col("word_breadth") / typical, NARROW_WORDS_RATIO, BROAD_WORDS_RATIO).fill_null(1.0)
        if typical > 0
        else pl.lit(1.0)
    )
    return pl.min_horizontal(relative, lexical_breadth_ramp(NARROW_LEXICAL, BROAD_LEXICAL))


def lexical_breadth_ramp(low: float, high: float) -> pl.Expr:
    """``ramp(lexical_breadth, low, high)``; 1 (no judgement) when unknown or not in the feature table."""
    return ramp(pl.col(LEXICAL_BREADTH), low, high).fill_null(1.0)


def narrow_damping(ctx: SignalContext) -> pl.Expr:
    """Factor in [NARROW_KEEP, 1] for harvesting signals: distillation sweeps a capability across topics,
    while a product asking for the same thing (examples, explanations, the whole output budget) does so in
    its own narrow domain (a support bot's synthetic dialogues, a maths tutor's explanations)."""
    return NARROW_KEEP + (1.0 - NARROW_KEEP) * domain_breadth(ctx)


# One-sided 95% normal quantile: the confidence of ``wilson_lower_bound``.
CONFIDENCE_Z = 1.645


def wilson_lower_bound(share: pl.Expr, n: pl.Expr, z: float = CONFIDENCE_Z) -> pl.Expr:
    """Lower bound of the Wilson score interval for a share observed over ``n`` trials (0 when n is 0).

    The share a per-request behaviour has *at least*, with one-sided confidence ``z``: all of 1 request is
    at least 27%, all of 6 at least 69%, 12 of 14 at least 65%, 50 of 100 at least 42%. A share seen
    consistently needs few requests to be certain; one seen on a few requests of a few does not.
    """
    trials = n.cast(pl.Float64)
    z2 = z * z
    centre = share + z2 / (2.0 * trials)
    spread = z * (share * (1.0 - share) / trials + z2 / (4.0 * trials * trials)).sqrt()
    bound = (centre - spread) / (1.0 + z2 / trials)
    return pl.when(trials > 0).then(bound.clip(0.0, 1.0)).otherwise(0.0)


def shown_share(share: Any, requests: Any) -> float:
    """``wilson_lower_bound`` for one account's row (evidence sentences): the same operations in the same
    order on Python floats (IEEE doubles, as polars'), without a query per sentence."""
    value, trials = float(share or 0.0), float(int(requests or 0))
    if not trials > 0:
        return 0.0
    z = CONFIDENCE_Z
    z2 = z * z
    centre = value + z2 / (2.0 * trials)
    spread = z * math.sqrt(value * (1.0 - value) / trials + z2 / (4.0 * trials * trials))
    bound = (centre - spread) / (1.0 + z2 / trials)
    return min(max(bound, 0.0), 1.0)


def ramp(expr: pl.Expr, low: float, high: float) -> pl.Expr:
    """0 below ``low``, 1 above ``high``, linear in between; null stays null."""
    return ((expr - low) / (high - low)).clip(0.0, 1.0)


def pct(value: Any) -> str:
    """A share as a whole percentage for evidence sentences."""
    return f"{100.0 * float(value or 0.0):.0f}%"


@dataclass(frozen=True)
class SignalScores:
    """One signal's verdict on every account: ``frame`` has ``account_id``, ``score`` and ``value``."""

    signal: Signal
    frame: pl.DataFrame

    @property
    def name(self) -> str:
        return self.signal.name

    def evidence(self, row: Mapping[str, Any], score: float, value: float) -> Evidence:
        """The evidence record for one account, from its feature row."""
        return Evidence(signal=self.name, value=round(float(value), 4), detail=self.signal.detail(row, value))


class Signal(ABC):
    """One named line of evidence. Subclasses set ``name``/``description`` and define the three methods."""

    name: ClassVar[str]
    description: ClassVar[str]
    # Content signals are alternative ways of harvesting training data (reasoning traces, grades, ...):
    # only the strongest of them counts towards an account's evidence total.
    content: ClassVar[bool] = False
    # Weak signals (common among heavy legitimate users too) only corroborate: together they add at most
    # ``DetectConfig.weak_cap`` to the evidence total, so they can never make up a second line of evidence.
    weak: ClassVar[bool] = False
    # Harvesting signals show that training data is being collected (content elicitation, output budget,
    # logprobs, payload sweeps). A group of linked accounts is a campaign only with some of this evidence:
    # coordination alone (one template, system prompt, user agent) describes any multi-tenant product.
    harvest: ClassVar[bool] = False
    # Per-request signals: ``value`` is a share of the account's requests (a label, logprobs, n > 1), so a
    # group's pooled value is its members' request-weighted mean and each member shows the behaviour or not
    # on its own. Such a signal counts for a group only as far as its members show it themselves (see
    # ``distillguard.detect._campaign``); aggregate signals (volume, timing, sweeps) are the group's own.
    per_request: ClassVar[bool] = False

    @abstractmethod
    def value(self, ctx: SignalContext) -> pl.Expr:
        """The measured quantity reported with the evidence (a share, a ratio, a count)."""

    @abstractmethod
    def score(self, ctx: SignalContext) -> pl.Expr:
        """Score in [0, 1] before small-account damping; may use ``pl.col("value")``."""

    @abstractmethod
    def detail(self, row: Mapping[str, Any], value: float) -> str:
        """A plain sentence a reviewer can check against the logs, for one account's feature row."""

    def joint(self, ctx: SignalContext) -> pl.Expr | None:
        """For a content signal whose requests can also carry another content behaviour: the share of the
        smaller behaviour's requests that must carry both, in [0, 1]; the signal then adds to the strongest
        other content signal in that proportion instead of only being an alternative to it. None (the
        default): an alternative only."""
        return None

    def damping(self, ctx: SignalContext) -> pl.Expr:
        """The factor ``compute`` multiplies the score by: ``ctx.confidence()``, unless the signal accounts
        for the number of requests its evidence rests on itself (then only the persistence part)."""
        return ctx.confidence()

    def compute(self, features: pl.DataFrame, ctx: SignalContext) -> SignalScores:
        """Score every account of ``features``; nulls score 0 and small accounts are damped."""
        with_value = _with_breadth(features).with_columns(self.value(ctx).cast(pl.Float64).alias("value"))
        return SignalScores(self, with_value.select("account_id", *self._outputs(ctx, "score", "value")))

    def _outputs(self, ctx: SignalContext, score: str, value: str) -> tuple[pl.Expr, pl.Expr]:
        """The score and the reported value, from a frame whose ``value`` column is ``self.value(ctx)``."""
        return (
            (self.score(ctx).cast(pl.Float64).fill_null(0.0).fill_nan(0.0).clip(0.0, 1.0) * self.damping(ctx))
            .fill_null(0.0)
            .alias(score),
            pl.col("value").fill_null(0.0).fill_nan(0.0).alias(value),
        )


def _with_breadth(features: pl.DataFrame) -> pl.DataFrame:
    if LEXICAL_BREADTH in features.columns:
        return features
    return features.with_columns(pl.lit(None, dtype=pl.Float64).alias(LEXICAL_BREADTH))


def compute_all(
    signals: Sequence[Signal], features: pl.DataFrame, ctx: SignalContext
) -> tuple[SignalScores, ...]:
    """``signal.compute(features, ctx)`` of each signal, the signals that keep ``Signal.compute`` in one
    query: each step sets ``value`` to the signal's value and takes its score and value as ``Signal.compute``
    does (the same expressions on the same columns). One query instead of two per signal: per query polars
    costs ~1 ms on a few thousand rows, the bulk of scoring's time (1M-event scan: 2 x 30 signals)."""
    plain = [index for index, signal in enumerate(signals) if type(signal).compute is Signal.compute]
    scored: dict[int, SignalScores] = {}
    if plain:
        lazy = _with_breadth(features).lazy()
        for index in plain:
            signal = signals[index]
            lazy = lazy.with_columns(signal.value(ctx).cast(pl.Float64).alias("value")).with_columns(
                *signal._outputs(ctx, f"_s{index}", f"_v{index}")
            )
        out = lazy.select("account_id", *(f"_{kind}{index}" for index in plain for kind in "sv")).collect()
        for index in plain:
            frame = pl.DataFrame(
                [out["account_id"], out[f"_s{index}"].alias("score"), out[f"_v{index}"].alias("value")]
            )
            scored[index] = SignalScores(signals[index], frame)
    return tuple(scored.get(index) or signal.compute(features, ctx) for index, signal in enumerate(signals))


SIGNALS: dict[str, type[Signal]] = {}


def register(cls: type[Signal]) -> type[Signal]:
    """Class decorator adding a signal to ``SIGNALS`` under its ``name``."""
    if cls.name in SIGNALS:
        raise ValueError(f"signal {cls.name!r} is registered twice")
    SIGNALS[cls.name] = cls
    return cls


def build_signals(names: tuple[str, ...] | None) -> list[Signal]:
    """Instances of the named signals (all registered ones by default), in a stable order."""
    chosen = list(SIGNALS) if names is None else list(names)
    unknown = [name for name in chosen if name not in SIGNALS]
    if unknown:
        known = ", ".join(sorted(SIGNALS))
        raise ConfigError(f"unknown signal(s) {', '.join(unknown)}; known: {known}", field="signals")
    return [SIGNALS[name]() for name in chosen]
