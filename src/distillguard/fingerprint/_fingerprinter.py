"""The fingerprint stage: event batches with text in, batches of hashes and labels out.

Work is done once per *distinct* value of a batch (user texts, system prompts, tool schemas, and
(template, system prompt) pairs for the classifier), then joined back onto the events: in real traffic a
handful of templates and system prompts carry most requests, so per-event cost is mostly the joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import polars as pl
import pyarrow as pa

from distillguard.errors import SchemaMismatchError
from distillguard.fingerprint._catalog import MinHashParams, TemplateCatalog
from distillguard.fingerprint._classifier import TextClassifier, default_classifier
from distillguard.fingerprint._config import FingerprintConfig
from distillguard.fingerprint._hashing import xxh32_series, xxh64_series
from distillguard.fingerprint._masking import skeleton_expr
from distillguard.fingerprint._words import STOPWORDS, WORD_RE
from distillguard.fingerprint.schema import CAPABILITIES, FINGERPRINT_FIELDS, FINGERPRINT_SCHEMA, LABELS
from distillguard.ingest.schema import EVENT_SCHEMA, TEXT_COLUMNS

_NEEDED: Final = (*TEXT_COLUMNS, "n_tools", "n_tool_messages")
_NO_HASH: Final = (
    0  # cache key stand-in for an absent text (xxh64 of real text is never relied on to be != 0)
)


class Fingerprinter:
    """Turns ``EVENT_SCHEMA`` batches into ``FINGERPRINT_SCHEMA`` batches and keeps the template catalog."""

    def __init__(
        self, config: FingerprintConfig | None = None, classifier: TextClassifier | None = None
    ) -> None:
        self.config = config or FingerprintConfig()
        self._classifier = classifier
        self._catalog = TemplateCatalog(
            MinHashParams(
                num_perm=self.config.num_perm,
                seed=self.config.minhash_seed,
                shingle_size=self.config.shingle_size,
            ),
            max_templates=self.config.max_templates,
            preview_chars=self.config.preview_chars,
        )
        # (template_hash, system_hash) -> label probabilities + capability index, across batches.
        self._label_cache: dict[tuple[int, int], tuple[float, ...]] = {}

    @property
    def catalog(self) -> TemplateCatalog:
        return self._catalog

    @property
    def classifier(self) -> TextClassifier:
        if self._classifier is None:
            self._classifier = default_classifier()
        return self._classifier

    def fingerprint(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch without its text columns, plus template/payload hashes, labels and lengths."""
        _check_schema(batch.schema)
        frame = pl.from_arrow(pa.Table.from_batches([batch.select(list(_NEEDED))]))
        assert isinstance(frame, pl.DataFrame)
        users = self._user_table(frame["user_text"])
        systems = self._system_table(frame["system_text"])
        tools = frame.select(pl.col("tools_text").unique().drop_nulls())
        tools = tools.with_columns(xxh64_series(tools["tools_text"]).alias("tools_hash"))
        events = (
            frame.join(users, on="user_text", how="left", maintain_order="left")
            .join(systems, on="system_text", how="left", maintain_order="left")
            .join(tools, on="tools_text", how="left", maintain_order="left")
        )
        events = self._label(events, users, systems)
        self._observe_templates(events, users)
        return self._assemble(batch, events)

    # ----- per distinct text ---------------------------------------------------------------------------

    def _user_table(self, texts: pl.Series) -> pl.DataFrame:
        cfg = self.config
        distinct = pl.DataFrame({"user_text": texts.unique().drop_nulls()})
        distinct = distinct.with_columns(
            skeleton_expr(pl.col("user_text"), cfg.skeleton_chars).alias("skeleton"),
            pl.col("user_text").str.len_chars().cast(pl.Int32).alias("user_chars"),
        )
        distinct = distinct.with_columns(
            xxh64_series(distinct["user_text"]).alias("payload_hash"),
            xxh64_series(distinct["skeleton"]).alias("template_hash"),
        )
        return distinct.join(self._payload_words(distinct["user_text"]), on="user_text", how="left")

    def _payload_words(self, texts: pl.Series) -> pl.DataFrame:
        """Bottom-k (smallest xxh32) of each text's distinct content words: a consistent sample, so two
        payloads that share words tend to share sampled hashes."""
        cfg = self.config
        words = (
            pl.DataFrame({"user_text": texts})
            .with_columns(
                pl.col("user_text")
                .str.slice(0, cfg.payload_word_chars)
                .str.to_lowercase()
                .str.extract_all(WORD_RE)
                .alias("word")
            )
            .explode("word")
            .filter(pl.col("word").is_not_null() & ~pl.col("word").is_in(STOPWORDS))
        )
        vocabulary = words.select(pl.col("word").unique())
        vocabulary = vocabulary.with_columns(xxh32_series(vocabulary["word"]).alias("word_hash"))
        return (
            words.join(vocabulary, on="word")
            .group_by("user_text")
            .agg(pl.col("word_hash").unique().bottom_k(cfg.payload_words).sort().alias("payload_words"))
        )

    def _system_table(self, texts: pl.Series) -> pl.DataFrame:
        cfg = self.config
        distinct = pl.DataFrame({"system_text": texts.unique().drop_nulls()})
        return distinct.with_columns(
            xxh64_series(distinct["system_text"]).alias("system_hash"),
            pl.col("system_text").str.len_chars().cast(pl.Int32).alias("system_chars"),
            skeleton_expr(pl.col("system_text"), cfg.classifier_system_chars).alias("system_skeleton"),
        )

    # ----- labels --------------------------------------------------------------------------------------

    def _label(self, events: pl.DataFrame, users: pl.DataFrame, systems: pl.DataFrame) -> pl.DataFrame:
        keys = events.select(
            pl.col("template_hash").fill_null(_NO_HASH).alias("t_key"),
            pl.col("system_hash").fill_null(_NO_HASH).alias("s_key"),
        )
        pairs = keys.unique()
        known = [(t, s) in self._label_cache for t, s in pairs.iter_rows()]
        missing = pairs.filter(~pl.Series(known, dtype=pl.Boolean))
        if missing.height:
            self._classify_pairs(missing, users, systems)
        cache = self._label_cache
        values = np.array([cache[pair] for pair in pairs.iter_rows()], dtype=np.float32).reshape(
            -1, len(LABELS) + 1
        )
        label_frame = pairs.with_columns(
            *(pl.Series(f"p_{label}", values[:, i]) for i, label in enumerate(LABELS)),
            pl.Series("capability_index", values[:, len(LABELS)].astype(np.int8)),
        )
        labelled = keys.join(label_frame, on=["t_key", "s_key"], how="left", maintain_order="left")
        agentic = (pl.col("n_tools").fill_null(0) > 0) | (pl.col("n_tool_messages").fill_null(0) > 0)
        capability = (
            pl.when(agentic)
            .then(pl.lit("agentic"))
            .otherwise(
                pl.col("capability_index").replace_strict(list(range(len(CAPABILITIES))), list(CAPABILITIES))
            )
        )
        return events.with_columns(
            *(labelled[f"p_{label}"] for label in LABELS),
            labelled["capability_index"],
        ).with_columns(capability.alias("capability"))

    def _classify_pairs(self, missing: pl.DataFrame, users: pl.DataFrame, systems: pl.DataFrame) -> None:
        cfg = self.config
        head = cfg.classifier_chars - cfg.classifier_tail_chars
        skeleton = pl.col("skeleton").fill_null("")
        clipped = (
            pl.when(skeleton.str.len_chars() <= cfg.classifier_chars)
            .then(skeleton)
            .otherwise(
                pl.concat_str(
                    [skeleton.str.slice(0, head), skeleton.str.slice(-cfg.classifier_tail_chars)],
                    separator=" … ",
                )
            )
        )
        texts = (
            missing.join(
                users.select(pl.col("template_hash").alias("t_key"), "skeleton").unique("t_key"),
                on="t_key",
                how="left",
                maintain_order="left",
            )
            .join(
                systems.select(pl.col("system_hash").alias("s_key"), "system_skeleton"),
                on="s_key",
                how="left",
                maintain_order="left",
            )
            .select(
                "t_key",
                "s_key",
                pl.concat_str([pl.col("system_skeleton").fill_null(""), clipped], separator="\n")
                .str.strip_chars()
                .alias("text"),
            )
        )
        probabilities, capabilities = self.classifier.predict(texts["text"])
        if len(self._label_cache) + texts.height > cfg.classifier_cache_size:
            self._label_cache.clear()
        rows = np.column_stack([probabilities, capabilities.astype(np.float32)]).tolist()
        for key, row in zip(texts.select("t_key", "s_key").iter_rows(), rows, strict=True):
            self._label_cache[key] = tuple(row)

    # ----- catalog and output --------------------------------------------------------------------------

    def _observe_templates(self, events: pl.DataFrame, users: pl.DataFrame) -> None:
        counts = events.group_by("template_hash").len().drop_nulls("template_hash")
        skeletons = users.select("template_hash", "skeleton").unique("template_hash")
        templates = counts.join(skeletons, on="template_hash", how="left")
        self._catalog.observe(templates["template_hash"], templates["len"], templates["skeleton"])

    def _assemble(self, batch: pa.RecordBatch, events: pl.DataFrame) -> pa.RecordBatch:
        derived = events.with_columns(
            pl.col("user_chars").fill_null(0),
            pl.col("system_chars").fill_null(0),
            pl.col("payload_words").fill_null(pl.lit([], dtype=pl.List(pl.UInt32))),
        )
        arrays: list[pa.Array[Any]] = [
            batch.column(name) for name in FINGERPRINT_SCHEMA.names[: -len(FINGERPRINT_FIELDS)]
        ]
        for item in FINGERPRINT_FIELDS:
            column = derived[item.name].to_arrow()
            arrays.append(column.cast(item.type))
        return pa.RecordBatch.from_arrays(arrays, schema=FINGERPRINT_SCHEMA)


def _check_schema(schema: pa.Schema) -> None:
    missing = [f.name for f in EVENT_SCHEMA if f.name not in schema.names]
    wrong = [
        f.name
        for f in EVENT_SCHEMA
        if f.name in schema.names and not schema.field(f.name).type.equals(f.type)
    ]
    if missing or wrong:
        raise SchemaMismatchError(
            "batch is not in the canonical event schema",
            missing=", ".join(missing) or None,
            wrong_type=", ".join(wrong) or None,
        )


def fingerprint_batches(
    batches: Sequence[pa.RecordBatch], config: FingerprintConfig | None = None
) -> pa.Table:
    """Fingerprint several batches with one fingerprinter (convenience for tests and small inputs)."""
    fingerprinter = Fingerprinter(config)
    return pa.Table.from_batches([fingerprinter.fingerprint(b) for b in batches], schema=FINGERPRINT_SCHEMA)
