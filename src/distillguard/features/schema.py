"""The account feature table: one row per account, what every detection signal reads.

``ACCOUNT_FEATURES`` is the contract between ``account_features`` and ``distillguard.detect``. Shares are
fractions of the account's requests in [0, 1]; entropies are normalised to [0, 1]; times are UTC.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from distillguard.fingerprint.schema import LABELS
from distillguard.ingest.schema import TS_TYPE

_VOLUME: tuple[pa.Field[Any], ...] = (
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("requests", pa.int64(), nullable=False),
    pa.field("first_seen", TS_TYPE, nullable=False),
    pa.field("last_seen", TS_TYPE, nullable=False),
    pa.field("span_hours", pa.float64()),  # last_seen - first_seen
    pa.field("active_hours", pa.int64()),  # distinct clock hours with at least one request
    pa.field("active_days", pa.int64()),
    pa.field("requests_per_hour", pa.float64()),  # requests / max(span, 1 h)
    pa.field("requests_per_active_hour", pa.float64()),
    pa.field("error_share", pa.float64()),  # status >= 400
)

_TEMPLATES: tuple[pa.Field[Any], ...] = (
    pa.field("distinct_templates", pa.int64()),
    pa.field("top_template", pa.uint64()),
    pa.field("top_template_share", pa.float64()),
    # Near-duplicate template clusters (``template_cluster`` column if present, else the template itself).
    pa.field("distinct_clusters", pa.int64()),
    pa.field("top_cluster", pa.uint64()),
    pa.field("top_cluster_share", pa.float64()),
    pa.field("distinct_payloads", pa.int64()),
    # Distinct payload hashes / prompts (requests that do not hand back tool results in an agent loop).
    pa.field("payload_unique_share", pa.float64()),
    # Distinct hashed payload words among the first 1024 words of a pseudo-random sample of requests.
    pa.field("distinct_words", pa.int64()),
    pa.field("words_per_request", pa.float64()),  # distinct words / requests
    # Type-token ratio of the first 256 payload words of a pseudo-random sample of the account's requests
    # (raw vocabulary grows with volume; a fixed number of words keeps a narrow high-volume product and a
    # broad topic sweep apart at any volume). Null when the account has fewer payload words than that.
    pa.field("word_breadth", pa.float64()),
    pa.field("distinct_capabilities", pa.int64()),
    pa.field("capability_entropy", pa.float64()),
    pa.field("top_capability", pa.string()),
)

_LABELS: tuple[pa.Field[Any], ...] = tuple(
    field
    for label in LABELS
    for field in (pa.field(f"p_{label}_mean", pa.float64()), pa.field(f"{label}_share", pa.float64()))
)

_SHAPE: tuple[pa.Field[Any], ...] = (
    pa.field("single_turn_share", pa.float64()),  # one user message, no assistant turns
    pa.field("mean_messages", pa.float64()),
    pa.field("system_share", pa.float64()),  # requests that carry a system prompt
    pa.field("distinct_systems", pa.int64()),
    pa.field("top_system", pa.uint64()),
    pa.field("top_system_share", pa.float64()),
    pa.field("tools_share", pa.float64()),  # requests that declare tools
    pa.field("distinct_tools", pa.int64()),
    pa.field("top_tools", pa.uint64()),
    pa.field("top_tools_share", pa.float64()),
    pa.field("tool_loop_share", pa.float64()),  # requests carrying tool results (an agent loop)
)

_USAGE: tuple[pa.Field[Any], ...] = (
    pa.field("logprob_share", pa.float64()),
    pa.field("logprob_tiny_share", pa.float64()),  # logprobs with a completion of at most 8 tokens
    pa.field("mean_top_logprobs", pa.float64()),
    pa.field("near_cap_share", pa.float64()),  # max_tokens >= 90% of the model's cap
    pa.field("mean_completion_tokens", pa.float64()),
    pa.field("mean_prompt_tokens", pa.float64()),
    pa.field("length_finish_share", pa.float64()),  # finish_reason == "length"
    pa.field("high_effort_share", pa.float64()),  # reasoning_effort high (or above)
    pa.field("multi_n_share", pa.float64()),  # n > 1
    pa.field("mean_temperature", pa.float64()),
)

_TIMING: tuple[pa.Field[Any], ...] = (
    pa.field("hour_entropy", pa.float64()),  # hour-of-day entropy / log(24)
    pa.field("dow_entropy", pa.float64()),  # day-of-week entropy / log(7)
    pa.field("hours_of_day", pa.int64()),  # distinct hours of day (0-23) used
    # Share of traffic in the account's quietest 6 consecutive hours of the day: ~0 for a person or an
    # office, 0.25 for a machine running around the clock. Needs no locale.
    pa.field("quiet_window_share", pa.float64()),
    pa.field("interarrival_median_s", pa.float64()),
    pa.field("interarrival_cv", pa.float64()),  # std / mean of gaps: 0 = metronome, 1 = Poisson
    pa.field("burstiness", pa.float64()),  # (std - mean) / (std + mean), Goh & Barabasi, in [-1, 1]
    pa.field("max_hour_share", pa.float64()),  # share of requests in the busiest clock hour
)

_MODELS: tuple[pa.Field[Any], ...] = (
    pa.field("distinct_models", pa.int64()),
    pa.field("top_model", pa.string()),
    # Of the account's requests after the first new-model release, the share sent to a new model
    # within ``pivot_hours`` of its release; null when the window holds no new model or no such request.
    pa.field("new_model_share", pa.float64()),
    pa.field("new_model_lag_hours", pa.float64()),  # first request to a new model after its release
    pa.field("new_model_active_hours", pa.int64()),  # distinct clock hours with pivot requests
)

_ACCOUNT: tuple[pa.Field[Any], ...] = (
    pa.field("account_created", TS_TYPE),
    pa.field("account_age_days", pa.float64()),  # at the first request; null if creation unknown
    pa.field("distinct_ips", pa.int64()),
    pa.field("distinct_prefixes", pa.int64()),  # /24 for IPv4, /48 for IPv6
    pa.field("prefixes_per_request", pa.float64()),
    pa.field("top_ip", pa.string()),
    pa.field("top_prefix", pa.string()),
    pa.field("distinct_user_agents", pa.int64()),
    pa.field("top_user_agent", pa.string()),
    pa.field("distinct_payments", pa.int64()),
    pa.field("payment_fingerprint", pa.string()),  # the most used one
)

# How much a label's probability differs from one of the account's templates to the next: the standard
# deviation of the templates' mean probabilities (each distinct template once) over their mean. Near 0 when
# the classifier gives every template the same probability (it reacts to what the requests share, not to
# each prompt); null with fewer than two templates or a zero mean.
_LABEL_SPREAD: tuple[pa.Field[Any], ...] = tuple(
    pa.field(f"p_{label}_template_cv", pa.float64()) for label in LABELS
)

# Per label, the share of the labelled-or-not requests (those with a label probability, as ``<label>_share``)
# that carry the label *and* ask for logprobs with a tiny completion: how much of a logprob harvest sits on
# the very requests of another harvest, measured rather than bounded by counting.
_LOGPROB_LABELS: tuple[pa.Field[Any], ...] = tuple(
    pa.field(f"logprob_{label}_share", pa.float64()) for label in LABELS
)

ACCOUNT_FEATURES = pa.schema(
    [
        *_VOLUME,
        *_TEMPLATES,
        *_LABELS,
        *_SHAPE,
        *_USAGE,
        *_TIMING,
        *_MODELS,
        *_ACCOUNT,
        *_LABEL_SPREAD,
        *_LOGPROB_LABELS,
    ]
)
"""One row per account. Produced by ``account_features``; see the field comments for meanings."""

ACCOUNT_FEATURE_COLUMNS: tuple[str, ...] = tuple(ACCOUNT_FEATURES.names)
