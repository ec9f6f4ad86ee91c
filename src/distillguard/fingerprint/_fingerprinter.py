"""The fingerprint stage: event batches with text in, batches of hashes and labels out.

Work is done once per *distinct* value of a batch (user texts, system prompts, tool schemas, and
(template, system prompt) pairs for the classifier), then joined back onto the events: in real traffic a
handful of templates and system prompts carry most requests, so per-event cost is mostly the joins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from distillguard.errors import SchemaMismatchError
from distillguard.fingerprint._catalog import MinHashParams, TemplateCatalog
from distillguard.fingerprint._classifier import TextClassifier, default_classifier
from distillguard.fingerprint._config import FingerprintConfig
from distillguard.fingerprint._hashing import xxh64_series
from distillguard.fingerprint._masking import skeletons
from distillguard.fingerprint._vocab import coded
from distillguard.fingerprint._words import bottom_k_word_hashes, word_lists
from distillguard.fingerprint.schema import CAPABILITIES, FINGERPRINT_FIELDS, FINGERPRINT_SCHEMA, LABELS
from distillguard.ingest.schema import EVENT_SCHEMA, TEXT_COLUMNS

# The output's event columns, and its derived columns in two parts: what ``prepare`` computes without
# state, and the labels ``Fingerprinter.finish`` adds.
_EVENT_COLUMNS: Final = FINGERPRINT_SCHEMA.names[: -len(FINGERPRINT_FIELDS)]
_LABEL_FIELDS: Final = tuple(
    f for f in FINGERPRINT_FIELDS if f.name == "capability" or f.name.startswith("p_")
)
_PREPARED_FIELDS: Final = tuple(f for f in FINGERPRINT_FIELDS if f not in _LABEL_FIELDS)
PREPARED_SCHEMA: Final = pa.schema(
    [FINGERPRINT_SCHEMA.field(name) for name in _EVENT_COLUMNS] + list(_PREPARED_FIELDS)
)
_LABEL_INPUTS: Final = ("template_hash", "system_hash", "n_tools", "n_tool_messages")


@dataclass(frozen=True)
class PreparedBatch:
    """A batch after the fingerprint work that needs no state: the text is gone, reduced to hashes,
    lengths and payload words per event, plus each distinct template's and system prompt's skeleton.

    ``prepare`` makes it, in any process (a scan's parse workers do it while the main process labels
    earlier batches); ``Fingerprinter.finish`` adds the labels and the template catalog entries, which
    need the fingerprinter's memo and catalog. Without the text it is a fraction of the batch's size to
    send between processes.
    """

    events: pa.RecordBatch  # PREPARED_SCHEMA: the output's event columns and its first hash columns
    templates: pa.RecordBatch  # distinct template_hash -> skeleton
    systems: pa.RecordBatch  # distinct system_hash -> system_skeleton (the classifier's view of it)

    @property
    def num_rows(self) -> int:
        return int(self.events.num_rows)


def prepare(batch: pa.RecordBatch, config: FingerprintConfig | None = None) -> PreparedBatch:
    """The stateless part of fingerprinting one ``EVENT_SCHEMA`` batch (module level: picklable)."""
    config = config or FingerprintConfig()
    batch = _conform(batch)
    frame = pl.from_arrow(pa.Table.from_batches([batch.select(list(TEXT_COLUMNS))]))
    assert isinstance(frame, pl.DataFrame)
    # The user and system texts once as (index of each event's value, distinct values): the work is done
    # on the distinct values and gathered back by index, which hashes the strings once where unique()
    # plus a join on the text hashed them twice.
    user_ids, user_texts = coded(frame["user_text"])
    system_ids, system_texts = coded(frame["system_text"])
    users = _user_table(user_texts, config)
    systems = _system_table(system_texts, config)
    events = pl.concat(
        [
            users.select("template_hash", "payload_hash", "payload_words", "user_chars").select(
                pl.all().gather(user_ids)
            ),
            systems.select("system_hash", "system_chars").select(pl.all().gather(system_ids)),
            # Tool definitions only need their hash: hashing each row's text (xxHash runs at memory speed)
            # costs less than finding the distinct ones first (0.015 against 0.042 s per 250,000 events).
            pl.DataFrame([xxh64_series(frame["tools_text"]).alias("tools_hash")]),
        ],
        how="horizontal",
    ).with_columns(
        pl.col("user_chars").fill_null(0),
        pl.col("system_chars").fill_null(0),
        pl.col("payload_words").fill_null(pl.lit([], dtype=pl.List(pl.UInt32))),
    )
    arrays: list[pa.Array[Any]] = [batch.column(name) for name in _EVENT_COLUMNS]
    for item in _PREPARED_FIELDS:
        arrays.append(events[item.name].to_arrow().cast(item.type))
    templates = users.select("template_hash", "skeleton").unique("template_hash", maintain_order=True)
    return PreparedBatch(
        pa.RecordBatch.from_arrays(arrays, schema=PREPARED_SCHEMA),
        _record_batch(templates),
        _record_batch(systems.select("system_hash", "system_skeleton")),
    )


def _record_batch(frame: pl.DataFrame) -> pa.RecordBatch:
    table = frame.to_arrow().combine_chunks()
    batches = table.to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _user_table(texts: pl.Series, cfg: FingerprintConfig) -> pl.DataFrame:
    """Per distinct user text (``texts``, in their order): skeleton, template and payload hashes, payload
    words and length."""
    distinct = pl.DataFrame({"user_text": texts})
    # One with_columns: polars evaluates the masking and the word split on separate threads.
    distinct = distinct.with_columns(
        _skeletons(pl.col("user_text"), cfg.skeleton_chars).alias("skeleton"),
        word_lists(pl.col("user_text"), cfg.payload_word_chars).alias("words"),
        pl.col("user_text").str.len_chars().cast(pl.Int32).alias("user_chars"),
    )
    # Every skeleton is hashed, repeats too: finding the distinct ones first (to hash each once) costs a
    # hashing pass of its own, and measured twice the CPU on the bench speed file (~80 % of a batch's
    # skeletons are distinct there).
    return distinct.with_columns(
        xxh64_series(distinct["user_text"]).alias("payload_hash"),
        pl.Series("payload_words", bottom_k_word_hashes(distinct["words"], cfg.payload_words)),
        xxh64_series(distinct["skeleton"]).alias("template_hash"),
    ).drop("words")


def _skeletons(text: pl.Expr, max_chars: int) -> pl.Expr:
    # An expression around the Series function, so that the masking still runs on its own thread beside
    # the other columns of the same ``with_columns``.
    return text.map_batches(lambda texts: skeletons(texts, max_chars), return_dtype=pl.String)


def _system_table(texts: pl.Series, cfg: FingerprintConfig) -> pl.DataFrame:
    distinct = pl.DataFrame({"system_text": texts})
    return distinct.with_columns(
        xxh64_series(distinct["system_text"]).alias("system_hash"),
        pl.col("system_text").str.len_chars().cast(pl.Int32).alias("system_chars"),
        _SYSTEM_SKELETONS.of(texts, cfg.classifier_system_chars).alias("system_skeleton"),
    )


class _SkeletonMemo:
    """Skeletons of the texts seen most recently, by the characters masking reads: a pure function's
    results, so the output is the same with or without it.

    For system prompts. A batch has a few dozen distinct ones (40 in a 12,000-event part of the bench
    file), nearly all seen in earlier batches, and masking so few texts is mostly the fixed cost of a
    dozen regex passes (compiling the patterns and building their automata, ~2.5 ms a batch: 3 % of
    ``prepare``). Bounded: forgets everything when full.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._skeletons: dict[tuple[int, str], str] = {}

    def of(self, texts: pl.Series, max_chars: int) -> pl.Series:
        """``skeletons(texts, max_chars)`` (``texts`` without nulls)."""
        keys = [(max_chars, text[:max_chars]) for text in texts.to_list()]
        # Looked up once into a local dict, so that the result never depends on what the memo forgets.
        found = {key: self._skeletons.get(key) for key in keys}
        fresh = [key for key, skeleton in found.items() if skeleton is None]
        if fresh:
            masked = skeletons(pl.Series([text for _, text in fresh], dtype=pl.String), max_chars)
            computed = dict(zip(fresh, masked.to_list(), strict=True))
            found.update(computed)
            if len(self._skeletons) + len(computed) > self.capacity:
                self._skeletons.clear()
            self._skeletons.update(computed)
        return pl.Series(texts.name, [found[key] for key in keys], dtype=pl.String)


_SYSTEM_SKELETONS: Final = _SkeletonMemo(4_096)


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
                shingle_chars=self.config.shingle_chars,
            ),
            max_templates=self.config.max_templates,
            preview_chars=self.config.preview_chars,
        )
        # Classifier outputs by template hash and by system prompt hash, across batches (bounded).
        self._user_labels = _LabelMemo(self.config.classifier_cache_size)
        self._system_labels = _LabelMemo(self.config.classifier_cache_size)

    @property
    def catalog(self) -> TemplateCatalog:
        return self._catalog

    @property
    def classifier(self) -> TextClassifier:
        if self._classifier is None:
            self._classifier = default_classifier()
        return self._classifier

    def work_ahead(self) -> bool:
        """One small step of work the stage will need later, done now; False when none is left.

        For a caller that would otherwise wait (the scan, for its parse worker's next batch): getting the
        classifier (loaded from the on-disk cache, or trained; done at the first ``finish`` otherwise),
        then the MinHash signatures of the catalogued templates (done when detection first asks for
        clusters otherwise). Output is unchanged.
        """
        if self._classifier is None:
            self._classifier = default_classifier()
            return True
        return self._catalog.sign_pending()

    def fingerprint(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch without its text columns, plus template/payload hashes, labels and lengths."""
        return self.finish(prepare(batch, self.config))

    def finish(self, prepared: PreparedBatch) -> pa.RecordBatch:
        """Labels from the classifier (each template and system prompt classified once) and the catalog's
        request counts for a batch that ``prepare`` reduced, with this fingerprinter's config."""
        templates = pl.from_arrow(prepared.templates)
        systems = pl.from_arrow(prepared.systems)
        frame = pl.from_arrow(prepared.events.select(list(_LABEL_INPUTS)))
        assert isinstance(templates, pl.DataFrame)
        assert isinstance(systems, pl.DataFrame)
        assert isinstance(frame, pl.DataFrame)
        users = self._user_labels.lookup(
            templates["template_hash"], templates["skeleton"], self.classifier, self._clip_user
        ).rename({"key": "template_hash"})
        system_labels = self._system_labels.lookup(
            systems["system_hash"], systems["system_skeleton"], self.classifier, _unchanged
        )
        system_labels = system_labels.rename(lambda name: f"system_{name}").rename(
            {"system_key": "system_hash"}
        )
        events = frame.join(users, on="template_hash", how="left", maintain_order="left").join(
            system_labels, on="system_hash", how="left", maintain_order="left"
        )
        self._observe_templates(events, templates)
        return _assemble(prepared.events, self._label(events))

    def _clip_user(self, skeletons: pl.Series) -> pl.Series:
        """The head and the tail of each skeleton, within ``classifier_chars``."""
        cfg = self.config
        head = cfg.classifier_chars - cfg.classifier_tail_chars
        frame = pl.DataFrame({"s": skeletons})
        clipped = (
            pl.when(pl.col("s").str.len_chars() <= cfg.classifier_chars)
            .then(pl.col("s"))
            .otherwise(
                pl.concat_str(
                    [pl.col("s").str.slice(0, head), pl.col("s").str.slice(-cfg.classifier_tail_chars)],
                    separator=" … ",
                )
            )
        )
        return frame.select(clipped)["s"]

    # ----- labels --------------------------------------------------------------------------------------

    def _label(self, events: pl.DataFrame) -> pl.DataFrame:
        """An elicitation in the user text or in the system prompt counts: each label is the larger of the
        two probabilities. The capability comes from the user text (from the system prompt when there is
        none), and a request that offers tools or carries tool results is agentic."""
        probabilities = [
            pl.max_horizontal(pl.col(f"p_{label}"), pl.col(f"system_p_{label}"))
            .fill_null(0.0)
            .alias(f"p_{label}")
            for label in LABELS
        ]
        index = pl.coalesce(
            "capability_index", "system_capability_index", pl.lit(CAPABILITIES.index("other"))
        )
        agentic = (pl.col("n_tools").fill_null(0) > 0) | (pl.col("n_tool_messages").fill_null(0) > 0)
        names = index.replace_strict(
            list(range(len(CAPABILITIES))), list(CAPABILITIES), return_dtype=pl.String
        )
        capability = pl.when(agentic).then(pl.lit("agentic")).otherwise(names)
        return events.with_columns(*probabilities, capability.alias("capability"))

    # ----- catalog -------------------------------------------------------------------------------------

    def _observe_templates(self, events: pl.DataFrame, templates: pl.DataFrame) -> None:
        # In order of first appearance: when the catalog is full it evicts the least requested templates,
        # the later added first among equals, so the order must not depend on how threads ran a group-by
        # (it did: the same scan could keep different one-off templates and cluster slightly differently).
        counts = events.group_by("template_hash", maintain_order=True).len().drop_nulls("template_hash")
        joined = counts.join(templates, on="template_hash", how="left", maintain_order="left")
        self._catalog.observe(joined["template_hash"], joined["len"], joined["skeleton"])


def _assemble(prepared: pa.RecordBatch, labelled: pl.DataFrame) -> pa.RecordBatch:
    arrays: list[pa.Array[Any]] = list(prepared.columns)
    for item in _LABEL_FIELDS:
        arrays.append(labelled[item.name].to_arrow().cast(item.type))
    return pa.RecordBatch.from_arrays(arrays, schema=FINGERPRINT_SCHEMA)


class _LabelMemo:
    """Classifier outputs by text hash, so that a template or system prompt is classified once.

    Held as numpy arrays sorted by key and looked up with a binary search: the lookup runs once per
    distinct template of every batch, which on diverse traffic is most events, so it must not be a Python
    loop, and a join would hash the whole memo (up to ``capacity`` keys) again for every batch.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._keys = np.zeros(0, dtype=np.uint64)  # ascending
        self._probabilities = np.zeros((0, len(LABELS)), dtype=np.float32)
        self._capability = np.zeros(0, dtype=np.uint32)

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(
        self,
        keys: pl.Series,
        texts: pl.Series,
        classifier: TextClassifier,
        prepare: Callable[[pl.Series], pl.Series],
    ) -> pl.DataFrame:
        """Label columns (``key``, ``p_*``, ``capability_index``) for each key, in the order of ``keys``,
        classifying only the ones not seen before."""
        wanted = keys.cast(pl.UInt64).to_numpy()
        slots, found = self._find(wanted)
        if not found.all():
            # Each unseen key once (its first row), classified together.
            fresh, first = np.unique(wanted[~found], return_index=True)
            rows = np.flatnonzero(~found)[first]
            probabilities, capability = classifier.predict(prepare(texts.gather(rows)))
            if len(self) + len(fresh) > self.capacity:
                # Simple bound: forget everything but this batch's labels; a template seen again is just
                # classified again.
                kept = np.unique(slots[found])
                self._keys, self._capability = self._keys[kept], self._capability[kept]
                self._probabilities = self._probabilities[kept]
            at = np.searchsorted(self._keys, fresh)
            self._keys = np.insert(self._keys, at, fresh)
            self._probabilities = np.insert(self._probabilities, at, probabilities.astype(np.float32), axis=0)
            self._capability = np.insert(self._capability, at, capability.astype(np.uint32))
            slots, found = self._find(wanted)
        return pl.DataFrame(
            [pl.Series("key", wanted, dtype=pl.UInt64)]
            + [
                pl.Series(f"p_{label}", self._probabilities[slots, i], dtype=pl.Float32)
                for i, label in enumerate(LABELS)
            ]
            + [pl.Series("capability_index", self._capability[slots], dtype=pl.UInt32)]
        )

    def _find(self, keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Each key's slot in the memo (clipped into range) and whether it is there."""
        slots = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        found = self._keys[slots] == keys if len(self._keys) else np.zeros(len(keys), dtype=bool)
        return slots, found


def _unchanged(texts: pl.Series) -> pl.Series:
    return texts


def _conform(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch in ``EVENT_SCHEMA``: exact types pass through; equivalent ones (``large_string`` or
    ``string_view`` text, as other Arrow producers write it) are cast; anything else is refused."""
    schema = batch.schema
    missing = [f.name for f in EVENT_SCHEMA if f.name not in schema.names]
    wrong = [
        f.name
        for f in EVENT_SCHEMA
        if f.name in schema.names and not schema.field(f.name).type.equals(f.type)
    ]
    if not missing and not wrong:
        return batch
    castable = all(_equivalent(schema.field(name).type, EVENT_SCHEMA.field(name).type) for name in wrong)
    if missing or not castable:
        raise SchemaMismatchError(
            "batch is not in the canonical event schema",
            missing=", ".join(missing) or None,
            wrong_type=", ".join(wrong) or None,
        )
    table = pa.Table.from_batches([batch]).select(list(EVENT_SCHEMA.names)).cast(EVENT_SCHEMA)
    batches = table.combine_chunks().to_batches()
    if batches:
        return batches[0]
    return pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in EVENT_SCHEMA], schema=EVENT_SCHEMA)


def _equivalent(actual: pa.DataType, expected: pa.DataType) -> bool:
    texts = (pa.string(), pa.large_string(), pa.string_view())
    return any(actual.equals(t) for t in texts) and any(expected.equals(t) for t in texts)


def fingerprint_batches(
    batches: Sequence[pa.RecordBatch], config: FingerprintConfig | None = None
) -> pa.Table:
    """Fingerprint several batches with one fingerprinter (convenience for tests and small inputs)."""
    fingerprinter = Fingerprinter(config)
    return pa.Table.from_batches([fingerprinter.fingerprint(b) for b in batches], schema=FINGERPRINT_SCHEMA)
