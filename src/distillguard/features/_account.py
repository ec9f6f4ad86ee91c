"""``account_features``: a pure function from whole accounts' events to one row per account.

Every feature is a group-by aggregation or a window expression over the account's own events, plus the
tiny population facts in ``FeatureContext``. Nothing depends on which other accounts share the partition,
so the function runs unchanged per partition of accounts on a distributed engine.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

import polars as pl

from distillguard.features._context import FeatureContext
from distillguard.features._index import ACCOUNT_KEY, AccountIndex
from distillguard.features._network import prefix_column
from distillguard.features._words import WordSample, sample_words, sort_by_key_then, word_counts
from distillguard.features.schema import ACCOUNT_FEATURES
from distillguard.fingerprint.schema import CAPABILITIES, LABELS

# A completion of at most this many tokens is "tiny": it returns little text, so logprobs are the payload.
TINY_COMPLETION_TOKENS = 8
# max_tokens at or above this fraction of the model's cap counts as asking for the whole output budget.
NEAR_CAP_FRACTION = 0.9
# The quiet window for ``quiet_window_share``: a night's worth of consecutive hours.
QUIET_WINDOW_HOURS = 6
# Payload words per account over which vocabulary breadth (type-token ratio) is measured.
BREADTH_SAMPLE_WORDS = 256
# Payload words per account sampled for ``distinct_words`` (bounds the cost for huge accounts).
WORD_SAMPLE = 1024
ROUND_DIGITS = 9
HIGH_EFFORT = ("high", "xhigh", "max", "maximum")

_ACC = "account_id"
# Dense integer account key: group-bys on it are much cheaper than on the account id strings.
_KEY = ACCOUNT_KEY


def empty_account_features() -> pl.DataFrame:
    """The feature table with no rows (and the right columns and types)."""
    frame = pl.from_arrow(ACCOUNT_FEATURES.empty_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def account_features(
    events: pl.DataFrame,
    context: FeatureContext | None = None,
    *,
    word_counts: pl.DataFrame | None = None,
    index: AccountIndex | None = None,
) -> pl.DataFrame:
    """One row per account in ``events`` (FINGERPRINT_SCHEMA) with the columns of ``ACCOUNT_FEATURES``.

    ``context`` carries the population facts (model caps and releases); by default it is derived from
    ``events`` itself. Pass a shared context when ``events`` is one partition of a larger population.
    If ``events`` has a ``template_cluster`` column (near-duplicate template groups), cluster features use
    it; otherwise each template is its own cluster. An ``ip_prefix`` column, if present, saves deriving the
    prefixes again. ``word_counts`` is ``account_word_counts`` of the events' word sample, if the caller
    has drawn that sample already (detection shares it with the lexical breadth). ``index`` is the events'
    ``AccountIndex``, if the caller has built it. Rows come out sorted by ``account_id``.
    """
    return account_features_with_counts(events, context, word_counts=word_counts, index=index)[0]


# The keys of the "top value, its share, distinct values" features: (column, feature name, distinct column).
TOP_SHARE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("template_hash", "template", "distinct_templates"),
    ("_cluster", "cluster", "distinct_clusters"),
    ("system_hash", "system", "distinct_systems"),
    ("tools_hash", "tools", "distinct_tools"),
    ("ip", "ip", "distinct_ips"),
    ("ip_prefix", "prefix", "distinct_prefixes"),
    ("user_agent", "user_agent", "distinct_user_agents"),
    ("payment_fingerprint", "payment", "distinct_payments"),
    ("model", "model", "distinct_models"),
    ("capability", "capability", "distinct_capabilities"),
)


def account_features_with_counts(
    events: pl.DataFrame,
    context: FeatureContext | None = None,
    *,
    word_counts: pl.DataFrame | None = None,
    count_keys: Iterable[str] = (),
    index: AccountIndex | None = None,
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """``account_features``, and the requests per (account, value) of the top-share keys named in
    ``count_keys`` (feature names of ``TOP_SHARE_KEYS``: "cluster", "system", "payment"...), each as
    (``account_id``, ``value``, ``requests``) without null values: the counts the features are computed
    from, for callers that need them too (linking), so that they are not counted twice. ``index``: the
    events' ``AccountIndex``, if the caller has built it (the same numbers the features would give)."""
    wanted = set(count_keys)
    if events.height == 0:
        return empty_account_features(), {}
    context = context or FeatureContext.from_events(events)
    if index is None or not index.fits(events, _ACC):
        index = _index(events)
    names = index.names
    prepared = _prepare(events, index, context).collect()
    lazy = prepared.lazy()
    kept: dict[str, pl.DataFrame] = {}
    if word_counts is None:
        word_counts = account_word_counts(_sample(events, index))
    # The top-share parts give the top value's request count; its share of the account's requests is
    # taken in ``_finish`` from ``requests`` (``_basic``'s count), not from a count of every part's own.
    # The capability counts serve the capability entropy too.
    capabilities = _counts(lazy, "capability").collect().lazy()
    parts: list[pl.LazyFrame | pl.DataFrame] = [
        _basic(lazy, _high_effort_values(prepared["reasoning_effort"])),
        _gaps(lazy),
        _templates(lazy),
        *(
            _top_share(
                lazy,
                key,
                name,
                distinct=distinct,
                keep=kept if name in wanted else None,
                counts=capabilities if key == "capability" else None,
            )
            for key, name, distinct in TOP_SHARE_KEYS
            if key != "template_hash"
        ),
        _words(word_counts, names),
        _time_parts(lazy),
        _entropy_of(capabilities, "capability_entropy", len(CAPABILITIES)),
        _pivot(lazy, context),
    ]
    # One part at a time: each is a few group-bys over the events whose result is one row per account, and
    # running them all in one query would hold every part's hash tables over the events at once.
    joined = _collected(parts[0])
    for part in parts[1:]:
        joined = joined.join(_collected(part), on=_KEY, how="left")
    features = _finish(joined.lazy().join(names.lazy(), on=_KEY, how="left")).collect()
    counts = {
        name: frame.join(names, on=_KEY).select(_ACC, "value", pl.col("_n").cast(pl.Int64).alias("requests"))
        for name, frame in kept.items()
    }
    return features, counts


def _index(events: pl.DataFrame) -> AccountIndex:
    """The events' account numbers (``AccountIndex``, which refuses null ids; those keep a null number, as
    they always have here: their events count for no account)."""
    if events[_ACC].null_count() == 0:
        return AccountIndex.of(events, _ACC)
    names = events.select(pl.col(_ACC).unique().sort()).with_row_index(_KEY)
    key = events.select(_ACC).join(names, on=_ACC, how="left", maintain_order="left")[_KEY]
    return AccountIndex(_ACC, names, key)


def _sample(events: pl.DataFrame, index: AccountIndex) -> WordSample:
    return sample_words(events, _ACC, WORD_SAMPLE, index if index.names[_ACC].null_count() == 0 else None)


def _collected(part: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    return part.collect() if isinstance(part, pl.LazyFrame) else part


# Event columns the features read; the rest (request ids, latency, ...) are never copied.
FEATURE_INPUTS = (
    "ts", "ip", "user_agent", "account_created", "payment_fingerprint", "model", "n_messages",
    "n_user_messages", "n_assistant_messages", "n_tool_messages", "n_tools", "temperature", "max_tokens",
    "logprobs", "top_logprobs", "n", "reasoning_effort", "finish_reason", "prompt_tokens",
    "completion_tokens", "status", "template_hash", "payload_hash", "system_hash", "tools_hash",
    "payload_words", "capability", *(f"p_{label}" for label in LABELS),
)  # fmt: skip


def _prepare(events: pl.DataFrame, index: AccountIndex, context: FeatureContext) -> pl.LazyFrame:
    # Lookups are joined on the key column alone (keeping row order) and stacked on, so the wide event
    # rows, payload word lists included, are never gathered.
    key = index.key.alias(_KEY)
    prefix = prefix_column(events)
    cluster = pl.col("template_cluster") if "template_cluster" in events.columns else pl.col("template_hash")
    epoch_s = pl.col("ts").dt.epoch("s")
    return (
        events.lazy()
        .select(*FEATURE_INPUTS, cluster.cast(pl.UInt64).alias("_cluster"))
        .with_columns(
            key,
            prefix.alias("ip_prefix"),
            pl.col("model")
            .replace_strict(dict(context.model_caps), default=None, return_dtype=pl.Int64)
            .alias("_cap"),
            # Hours since the epoch: the hour of the day, the day and the weekday all follow from it.
            (epoch_s // 3600).alias("_hourbin"),
        )
    )


def _gaps(lazy: pl.LazyFrame) -> pl.DataFrame:
    """Inter-arrival statistics from the account's time-ordered requests (computed at once: the sorted
    copy is not held while the other parts run)."""
    gap = pl.col("_gap")
    ordered = sort_by_key_then(lazy.select(_KEY, "ts").collect(), _KEY, "ts")
    return (
        ordered.lazy()
        # Sorted by account, a plain diff is the per-account diff except at each account's first request.
        .with_columns(
            pl.when(_run_start())
            .then(None)
            .otherwise(pl.col("ts").diff().dt.total_microseconds() / 1e6)
            .alias("_gap")
        )
        .group_by(_KEY)
        .agg(
            gap.median().alias("interarrival_median_s"),
            gap.mean().alias("_gap_mean"),
            gap.std().alias("_gap_std"),
        )
        .collect()
    )


def _run_start() -> pl.Expr:
    """True on the first row of each account in a frame sorted by account."""
    return pl.col(_KEY).ne_missing(pl.col(_KEY).shift())


def _share(condition: pl.Expr) -> pl.Expr:
    """Share of the account's requests (nulls count as false) for which ``condition`` holds."""
    return condition.fill_null(False).cast(pl.Float64).mean()


def _high_effort_values(efforts: pl.Series) -> pl.Series:
    """The distinct ``reasoning_effort`` values that name a high effort in any letter case: lower-casing
    the few distinct values instead of every request's (the same test, 1M events: 0.02 against 0.05 s)."""
    distinct = efforts.drop_nulls().unique()
    return distinct.filter(distinct.str.to_lowercase().is_in(HIGH_EFFORT))


def _basic(lazy: pl.LazyFrame, high_effort: pl.Series) -> pl.LazyFrame:
    """The per-account aggregates; ``high_effort``: ``_high_effort_values`` of the events."""
    ts = pl.col("ts")
    logprob = pl.col("logprobs").fill_null(False) | (pl.col("top_logprobs").fill_null(0) > 0)
    tiny = pl.col("completion_tokens").fill_null(pl.col("max_tokens")) <= TINY_COMPLETION_TOKENS
    label_aggs: list[pl.Expr] = []
    for label in LABELS:
        p = pl.col(f"p_{label}").cast(pl.Float64)
        # Requests without a label probability (no user text to classify) are left out, not counted as 0.
        label_aggs += [
            p.mean().alias(f"p_{label}_mean"),
            (p > 0.5).cast(pl.Float64).mean().alias(f"{label}_share"),
            ((p > 0.5) & (logprob & tiny).fill_null(False))
            .cast(pl.Float64)
            .mean()
            .alias(f"logprob_{label}_share"),
        ]
    return lazy.group_by(_KEY).agg(
        pl.len().cast(pl.Int64).alias("requests"),
        ts.min().alias("first_seen"),
        ts.max().alias("last_seen"),
        _share(pl.col("status") >= 400).alias("error_share"),
        pl.col("payload_hash").n_unique().cast(pl.Int64).alias("distinct_payloads"),
        # Requests that put a prompt to the model rather than hand it tool results: every turn of an agent's
        # tool loop repeats the task's last user message, so novelty is judged per prompt, not per request.
        (pl.col("n_tool_messages").fill_null(0) == 0).sum().cast(pl.Int64).alias("_prompt_requests"),
        *label_aggs,
        _share((pl.col("n_user_messages") <= 1) & (pl.col("n_assistant_messages").fill_null(0) == 0)).alias(
            "single_turn_share"
        ),
        pl.col("n_messages").cast(pl.Float64).mean().alias("mean_messages"),
        _share(pl.col("system_hash").is_not_null()).alias("system_share"),
        _share(pl.col("tools_hash").is_not_null() | (pl.col("n_tools") > 0)).alias("tools_share"),
        _share(pl.col("n_tool_messages") > 0).alias("tool_loop_share"),
        _share(logprob).alias("logprob_share"),
        _share(logprob & tiny).alias("logprob_tiny_share"),
        pl.col("top_logprobs").cast(pl.Float64).mean().alias("mean_top_logprobs"),
        _share(pl.col("max_tokens") >= NEAR_CAP_FRACTION * pl.col("_cap")).alias("near_cap_share"),
        pl.col("completion_tokens").cast(pl.Float64).mean().alias("mean_completion_tokens"),
        pl.col("prompt_tokens").cast(pl.Float64).mean().alias("mean_prompt_tokens"),
        _share(pl.col("finish_reason") == "length").alias("length_finish_share"),
        _share(pl.col("reasoning_effort").is_in(high_effort.implode())).alias("high_effort_share"),
        _share(pl.col("n") > 1).alias("multi_n_share"),
        pl.col("temperature").mean().alias("mean_temperature"),
        pl.col("account_created").min().alias("account_created"),
    )


def _templates(lazy: pl.LazyFrame) -> pl.DataFrame:
    """The template features (top template, its share, distinct templates) and the label spread across
    templates, from one group-by of the requests per (account, template): the costliest of the features'
    group-bys (about one group per two requests), done once for both."""
    means = [pl.col(f"p_{label}").cast(pl.Float64).mean().alias(label) for label in LABELS]
    per_template = lazy.group_by(_KEY, "template_hash").agg(pl.len().alias("_n"), *means).collect()
    counts = (
        per_template.lazy().filter(pl.col("template_hash").is_not_null()).select(_KEY, "template_hash", "_n")
    )
    top = _top_share(lazy, "template_hash", "template", distinct="distinct_templates", counts=counts)
    spread = _label_spread(per_template.lazy().drop("_n"))
    return top.join(spread, on=_KEY, how="left").collect()


def _label_spread(per_template: pl.LazyFrame) -> pl.LazyFrame:
    """Per label, the spread of the account's per-template mean probabilities (coefficient of variation);
    ``per_template`` has the mean probability of each label per (account, template)."""
    return per_template.group_by(_KEY).agg(
        pl.when(pl.col(label).mean() > 0)
        .then(pl.col(label).std() / pl.col(label).mean())
        .otherwise(None)
        .alias(f"p_{label}_template_cv")
        for label in LABELS
    )


def _counts(lazy: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Requests per (account, non-null value of ``key``): (``_KEY``, ``key``, ``_n``)."""
    return lazy.filter(pl.col(key).is_not_null()).group_by(_KEY, key).agg(pl.len().alias("_n"))


def _top_share(
    lazy: pl.LazyFrame,
    key: str,
    name: str,
    *,
    distinct: str,
    keep: dict[str, pl.DataFrame] | None = None,
    counts: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The account's most used value of ``key`` (``top_<name>``), its requests (``_top_n_<name>``, whose
    share of all requests ``_finish`` takes) and the distinct count, for accounts with a non-null value
    (the others are left to ``_finish``'s zero fill); the (account, value) counts are put in
    ``keep[name]`` if ``keep`` is given. ``counts``: the requests per (account, non-null value) as
    (``_KEY``, ``key``, ``_n``), if already counted."""
    if counts is None:
        counts = _counts(lazy, key)
    if keep is not None:
        kept = counts.collect()
        keep[name] = kept.rename({key: "value"})
        counts = kept.lazy()
    return counts.group_by(_KEY).agg(
        pl.col(key).sort_by(["_n", key], descending=[True, False]).first().alias(f"top_{name}"),
        pl.col("_n").max().alias(f"_top_n_{name}"),
        pl.len().cast(pl.Int64).alias(distinct),
    )


def account_word_counts(sample: WordSample) -> pl.DataFrame:
    """What ``account_features`` needs of a word sample (``sample_words(events, "account_id", WORD_SAMPLE)``):
    per account, the sampled words, the distinct ones, and the distinct ones among the first
    ``BREADTH_SAMPLE_WORDS``."""
    if sample.key != _ACC or sample.cap != WORD_SAMPLE:
        raise ValueError(f"word sample of {sample.cap} words per {sample.key}, not {WORD_SAMPLE} per {_ACC}")
    return word_counts(sample, BREADTH_SAMPLE_WORDS)


def _words(counts: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Vocabulary breadth of the payloads, measured on a bounded pseudo-random sample of words.

    The sample (``distillguard.features._words``) holds each account's first ``WORD_SAMPLE`` words, its
    requests taken in payload-hash order: the distinct count over those words is ``distinct_words``, and
    the type-token ratio over the first ``BREADTH_SAMPLE_WORDS`` is ``word_breadth``. A fixed number of
    words keeps breadth comparable across volumes, and the sample keeps the cost bounded per account
    instead of growing with its traffic. ``counts`` is ``account_word_counts`` of the sample.
    """
    return counts.join(names, on=_ACC).select(
        _KEY,
        "distinct_words",
        pl.when(pl.col("sample_words") >= BREADTH_SAMPLE_WORDS)
        .then(pl.col("head_distinct_words") / BREADTH_SAMPLE_WORDS)
        .otherwise(None)
        .alias("word_breadth"),
    )


def _entropy_of(counts: pl.LazyFrame, name: str, categories: int) -> pl.LazyFrame:
    """``_entropy`` from the requests per (account, non-null value) (``_KEY``, value, ``_n``)."""
    return counts.group_by(_KEY).agg(
        (pl.col("_n").entropy(base=math.e, normalize=True) / math.log(categories)).alias(name)
    )


def _time_parts(lazy: pl.LazyFrame) -> pl.DataFrame:
    """The activity and time-of-day features, from one group-by of the requests per (account, hour since
    the epoch): hours, days and hours of the day active, the busiest hour's share, the hour-of-day and
    day-of-week entropies and the quiet window. Each is a function of those counts (the hour of the day
    is the hour bin mod 24, the day its hour bin // 24), so the events are grouped once, not five times."""
    bins = lazy.group_by(_KEY, "_hourbin").agg(pl.len().alias("_n")).collect().lazy()
    hour = (pl.col("_hourbin") % 24).alias("_hour")
    # 1970-01-01 was a Thursday: (days + 3) % 7 numbers the days Monday = 0 .. Sunday = 6.
    weekday = ((pl.col("_hourbin") // 24 + 3) % 7).alias("_dow")
    activity = bins.group_by(_KEY).agg(
        pl.len().cast(pl.Int64).alias("active_hours"),
        (pl.col("_hourbin") // 24).n_unique().cast(pl.Int64).alias("active_days"),
        hour.n_unique().cast(pl.Int64).alias("hours_of_day"),
        (pl.col("_n").max() / pl.col("_n").sum()).alias("max_hour_share"),
    )
    totals = bins.group_by(_KEY).agg(pl.col("_n").sum().alias("_total"))
    hours = bins.group_by(_KEY, hour).agg(pl.col("_n").sum()).collect().lazy()
    days = bins.group_by(_KEY, weekday).agg(pl.col("_n").sum()).filter(pl.col("_dow").is_not_null())
    parts = [
        _entropy_of(hours.filter(pl.col("_hour").is_not_null()), "hour_entropy", 24),
        _entropy_of(days, "dow_entropy", 7),
        _quiet_window(hours, totals),
    ]
    joined = activity.collect()
    for part in parts:
        joined = joined.join(part.collect(), on=_KEY, how="left")
    return joined


def _quiet_window(hours: pl.LazyFrame, totals: pl.LazyFrame) -> pl.LazyFrame:
    """Share of requests in the quietest ``QUIET_WINDOW_HOURS`` consecutive hours of the (UTC) day, from the
    requests per (account, hour of the day) (``_KEY``, ``_hour``, ``_n``)."""
    shifted = pl.concat(
        [hours.with_columns(((pl.col("_hour") - k) % 24).alias("_start")) for k in range(QUIET_WINDOW_HOURS)]
    )
    windows = shifted.group_by(_KEY, "_start").agg(pl.col("_n").sum())
    # A window start missing from the table is a window with no requests at all.
    return (
        windows.group_by(_KEY)
        .agg(pl.col("_n").min().alias("_min"), pl.len().alias("_starts"))
        .join(totals, on=_KEY)
        .select(
            _KEY,
            pl.when(pl.col("_starts") < 24)
            .then(0.0)
            .otherwise(pl.col("_min") / pl.col("_total"))
            .alias("quiet_window_share"),
        )
    )


def _pivot(lazy: pl.LazyFrame, context: FeatureContext) -> pl.LazyFrame:
    """How much of the account's traffic after a model release went to the new model, and how soon."""
    releases = context.model_release
    if not releases:
        return (
            lazy.select(_KEY)
            .unique()
            .with_columns(
                pl.lit(None, dtype=pl.Float64).alias("new_model_share"),
                pl.lit(None, dtype=pl.Float64).alias("new_model_lag_hours"),
                pl.lit(None, dtype=pl.Int64).alias("new_model_active_hours"),
            )
        )
    table = pl.DataFrame(
        {"model": list(releases), "_release": list(releases.values())},
        schema={"model": pl.String, "_release": pl.Datetime("us", "UTC")},
    )
    earliest = min(releases.values())
    lag_hours = (pl.col("ts") - pl.col("_release")).dt.total_seconds() / 3600.0
    is_pivot = pl.col("_release").is_not_null() & (lag_hours <= context.pivot_hours)
    after = lazy.filter(pl.col("ts") >= earliest).join(table.lazy(), on="model", how="left")
    return after.group_by(_KEY).agg(
        _share(is_pivot).alias("new_model_share"),
        lag_hours.filter(pl.col("_release").is_not_null()).min().alias("new_model_lag_hours"),
        pl.col("_hourbin").filter(is_pivot).n_unique().cast(pl.Int64).alias("new_model_active_hours"),
    )


def _finish(joined: pl.LazyFrame) -> pl.LazyFrame:
    span_h = (pl.col("last_seen") - pl.col("first_seen")).dt.total_seconds() / 3600.0
    requests = pl.col("requests").cast(pl.Float64)
    prompts = pl.max_horizontal("_prompt_requests", "distinct_payloads").clip(lower_bound=1).cast(pl.Float64)
    mean, std = pl.col("_gap_mean"), pl.col("_gap_std")
    filled = _zero_fill(
        ("distinct_words", "distinct_templates", "distinct_clusters", "distinct_systems", "distinct_tools"),
        ("distinct_ips", "distinct_prefixes", "distinct_user_agents", "distinct_payments", "distinct_models"),
        ("distinct_capabilities",),
    )
    # The top value's share of all the account's requests (0 where no request has a value).
    shares = [
        (pl.col(f"_top_n_{name}").fill_null(0) / pl.col("requests")).alias(f"top_{name}_share")
        for _, name, _ in TOP_SHARE_KEYS
        if f"top_{name}_share" in _feature_types()
    ]
    return (
        joined.with_columns(*filled, *shares)
        .with_columns(
            span_h.alias("span_hours"),
            (requests / pl.max_horizontal(span_h, pl.lit(1.0))).alias("requests_per_hour"),
            (requests / pl.col("active_hours")).alias("requests_per_active_hour"),
            (pl.col("distinct_payloads") / prompts).alias("payload_unique_share"),
            (pl.col("distinct_words") / requests).alias("words_per_request"),
            pl.when(mean > 0).then(std / mean).otherwise(None).alias("interarrival_cv"),
            pl.when((mean + std) > 0).then((std - mean) / (std + mean)).otherwise(None).alias("burstiness"),
            ((pl.col("first_seen") - pl.col("account_created")).dt.total_seconds() / 86400.0).alias(
                "account_age_days"
            ),
            (pl.col("distinct_prefixes") / requests).alias("prefixes_per_request"),
            pl.col("top_payment").alias("payment_fingerprint"),
            pl.col("hour_entropy").fill_null(0.0),
            pl.col("dow_entropy").fill_null(0.0),
            pl.col("capability_entropy").fill_null(0.0),
        )
        .select([_final(f.name) for f in ACCOUNT_FEATURES])
        .sort("account_id")
    )


def _final(name: str) -> pl.Expr:
    dtype = _polars_type(name)
    expr = pl.col(name).cast(dtype)
    # Sums in parallel group-bys depend on row order in the last bits; rounding keeps the output (and
    # every score computed from it) identical for the same events in any order.
    return expr.round(ROUND_DIGITS) if dtype == pl.Float64 else expr


def _zero_fill(*groups: Iterable[str]) -> list[pl.Expr]:
    return [pl.col(name).fill_null(0) for group in groups for name in group]


@functools.cache
def _feature_types() -> dict[str, pl.DataType]:
    return dict(empty_account_features().schema)


def _polars_type(name: str) -> pl.DataType:
    return _feature_types()[name]
