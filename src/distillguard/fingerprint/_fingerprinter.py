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
from distillguard.fingerprint._vocab import coded, coded_by_hash
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
# The capability names, taken by index for each event.
_CAPABILITY_NAMES: Final = pa.array(CAPABILITIES, type=pa.string())


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
    # (template_hash, requests) per distinct template, in order of first request: the catalog's counts,
    # computed where the batch was prepared (``template_requests``); None: ``finish`` counts them.
    template_requests: pa.RecordBatch | None = None

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
    # plus a join on the text hashed them twice. The user texts are numbered by their payload hashes,
    # which every event needs anyway (``coded_by_hash``); the system prompts, few and mostly repeated,
    # by the categorical.
    user_ids, user_texts, payload_hashes = coded_by_hash(frame["user_text"], xxh64_series(frame["user_text"]))
    system_ids, system_texts = coded(frame["system_text"])
    users = _user_table(user_texts, payload_hashes, config)
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
        _record_batch(template_requests(events["template_hash"])),
    )


def template_requests(template_hashes: pl.Series) -> pl.DataFrame:
    """``template_hash`` and ``requests`` per distinct template of a batch's events, in order of first
    request (nulls dropped): what the catalog counts. In order of first appearance because when the catalog
    is full it evicts the least requested templates, the later added first among equals, so the order must
    not depend on how threads ran a group-by (it did: the same scan could keep different one-off templates
    and cluster slightly differently)."""
    frame = pl.DataFrame([template_hashes.alias("template_hash")])
    counts = frame.group_by("template_hash", maintain_order=True).len("requests")
    return counts.drop_nulls("template_hash")


def _record_batch(frame: pl.DataFrame) -> pa.RecordBatch:
    table = frame.to_arrow().combine_chunks()
    batches = table.to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _user_table(texts: pl.Series, payload_hashes: pl.Series, cfg: FingerprintConfig) -> pl.DataFrame:
    """Per distinct user text (``texts``, in their order; ``payload_hashes``: their xxHash64): skeleton,
    template and payload hashes, payload words and length."""
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
        payload_hashes.alias("payload_hash"),
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
        assert isinstance(templates, pl.DataFrame)
        assert isinstance(systems, pl.DataFrame)
        users = self._user_labels.learn(
            templates["template_hash"], templates["skeleton"], self.classifier, self._clip_user
        )
        system_prompts = self._system_labels.learn(
            systems["system_hash"], systems["system_skeleton"], self.classifier, _unchanged
        )
        labels = self._label(prepared.events, users, system_prompts)
        self._observe_templates(prepared, templates)
        return pa.RecordBatch.from_arrays([*prepared.events.columns, *labels], schema=FINGERPRINT_SCHEMA)

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

    def _label(
        self,
        events: pa.RecordBatch,
        users: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]],
        system_prompts: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]],
    ) -> list[pa.Array[Any]]:
        """An elicitation in the user text or in the system prompt counts: each label is the larger of the
        two probabilities (0 when there is neither). The capability comes from the user text (from the
        system prompt when there is none, else "other"), and a request that offers tools or carries tool
        results is agentic. Gathered from the memos by each event's key with numpy, where joining the
        events to the batch's labels and combining them in polars cost ~6 ms a part."""
        user, user_capability, user_known = self._user_labels.labels(events.column("template_hash"), users)
        system, system_capability, system_known = self._system_labels.labels(
            events.column("system_hash"), system_prompts
        )
        # The larger of the two where both are known, the known one where one is; -inf never wins a max.
        user[~user_known] = -np.inf
        system[~system_known] = -np.inf
        probabilities = np.maximum(user, system)
        probabilities[~(user_known | system_known)] = 0.0
        index = np.where(
            user_known,
            user_capability,
            np.where(system_known, system_capability, np.uint32(CAPABILITIES.index("other"))),
        )
        agentic = _positive(events.column("n_tools")) | _positive(events.column("n_tool_messages"))
        index[agentic] = CAPABILITIES.index("agentic")
        arrays: list[pa.Array[Any]] = [
            pa.array(np.ascontiguousarray(probabilities[:, i]), type=pa.float32()) for i in range(len(LABELS))
        ]
        arrays.append(_CAPABILITY_NAMES.take(pa.array(index, type=pa.uint32())))
        return arrays

    # ----- catalog -------------------------------------------------------------------------------------

    def _observe_templates(self, prepared: PreparedBatch, templates: pl.DataFrame) -> None:
        if prepared.template_requests is None:
            counts = template_requests(pl.Series(prepared.events.column("template_hash")))
        else:
            counted = pl.from_arrow(prepared.template_requests)
            assert isinstance(counted, pl.DataFrame)
            counts = counted
        joined = counts.join(templates, on="template_hash", how="left", maintain_order="left")
        self._catalog.observe_distinct(
            joined["template_hash"].cast(pl.UInt64).to_numpy(),
            joined["requests"].cast(pl.Int64).to_numpy(),
            joined["skeleton"],
        )


def _positive(counts: pa.Array[Any]) -> npt.NDArray[np.bool_]:
    """Whether each count is above zero (a null count is not)."""
    positive: npt.NDArray[np.bool_] = np.asarray(counts.fill_null(0).to_numpy(zero_copy_only=False)) > 0
    return positive


class _LabelMemo:
    """Classifier outputs by text hash, so that a template or system prompt is classified once.

    The outputs are rows of arrays that only grow at the end (a slot per key); the keys are held sorted,
    each with its slot, and looked up with a binary search: the lookup runs once per distinct template of
    every batch, which on diverse traffic is most events, so it must not be a Python loop, and a join
    would hash the whole memo (up to ``capacity`` keys) again for every batch. New keys are inserted into
    the sorted keys and slots only (16 bytes a key), not into the outputs as well (28 bytes a row): each
    insertion copies what it inserts into.

    When full it keeps the keys asked for most recently (up to 3/4 of its capacity, and always those of
    the current lookup): templates recur across a scan's batches, and forgetting all but the current
    batch's made a scan of the bench speed file classify 11 % of its templates twice (3 % now).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._keys = np.zeros(0, dtype=np.uint64)  # ascending
        self._slots = np.zeros(0, dtype=np.int64)  # each key's row in the arrays below
        self._size = 0  # rows in use
        self._probabilities = np.zeros((0, len(LABELS)), dtype=np.float32)
        self._capability = np.zeros(0, dtype=np.uint32)
        self._used = np.zeros(0, dtype=np.uint32)  # the number of the lookup that last asked for each row
        self._lookups = 0

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
        self.learn(keys, texts, classifier, prepare)
        wanted = keys.cast(pl.UInt64).to_numpy()
        slots, _ = self._find(wanted)
        return pl.DataFrame(
            [pl.Series("key", wanted, dtype=pl.UInt64)]
            + [
                pl.Series(f"p_{label}", self._probabilities[slots, i], dtype=pl.Float32)
                for i, label in enumerate(LABELS)
            ]
            + [pl.Series("capability_index", self._capability[slots], dtype=pl.UInt32)]
        )

    def learn(
        self,
        keys: pl.Series,
        texts: pl.Series,
        classifier: TextClassifier,
        prepare: Callable[[pl.Series], pl.Series],
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Classify the keys (not null) not seen before, each once, from ``prepare`` of their texts.

        Returns the keys sorted and each one's row in the memo's outputs, for ``labels``: the events of a
        batch are then looked up among the batch's few thousand keys, not among the whole memo's."""
        wanted = keys.cast(pl.UInt64).to_numpy()
        rows, found = self._find(wanted)
        self._lookups += 1
        self._used[rows[found]] = self._lookups
        if not found.all():
            # Each unseen key once (its first row), classified together.
            fresh, first = np.unique(wanted[~found], return_index=True)
            probabilities, capability = classifier.predict(
                prepare(texts.gather(np.flatnonzero(~found)[first]))
            )
            if len(self) + len(fresh) > self.capacity:
                self._forget()
                rows, _ = self._find(wanted)
            start = self._add(fresh, probabilities, capability)
            rows[~found] = start + np.searchsorted(fresh, wanted[~found])
        order = np.argsort(wanted)
        return wanted[order], rows[order]

    def labels(
        self, keys: pa.Array[Any], known: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
        """Probabilities (rows x labels) and capability index of each key (of a ``UInt64`` column that may
        hold nulls) among the ``known`` keys that ``learn`` returned, and whether it is one of them (a null
        is not; its row holds arbitrary values then)."""
        wanted = np.asarray(keys.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.uint64)
        sorted_keys, rows = known
        if len(sorted_keys) == 0:
            return (
                np.zeros((len(wanted), len(LABELS)), np.float32),
                np.zeros(len(wanted), np.uint32),
                np.zeros(len(wanted), bool),
            )
        positions = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
        found = sorted_keys[positions] == wanted
        if keys.null_count:
            found &= keys.is_valid().to_numpy(zero_copy_only=False)
        slots = rows[positions]
        return self._probabilities[slots], self._capability[slots], found

    def _add(
        self,
        keys: npt.NDArray[np.uint64],
        probabilities: npt.NDArray[np.float32],
        capability: npt.NDArray[np.int64],
    ) -> int:
        """Append the outputs of new, distinct, sorted ``keys`` and insert the keys into the index; the row
        of the first."""
        start, end = self._size, self._size + len(keys)
        if end > len(self._capability):
            # Doubling, but not past the capacity: a full memo forgets before it grows further.
            self._reserve(max(end, min(2 * len(self._capability), self.capacity)))
        self._probabilities[start:end] = probabilities
        self._capability[start:end] = capability
        self._used[start:end] = self._lookups
        self._size = end
        at = np.searchsorted(self._keys, keys)
        self._keys = np.insert(self._keys, at, keys)
        self._slots = np.insert(self._slots, at, np.arange(start, end, dtype=np.int64))
        return start

    def _reserve(self, rows: int) -> None:
        n = self._size
        probabilities = np.zeros((rows, len(LABELS)), dtype=np.float32)
        capability = np.zeros(rows, dtype=np.uint32)
        used = np.zeros(rows, dtype=np.uint32)
        probabilities[:n], capability[:n], used[:n] = (
            self._probabilities[:n],
            self._capability[:n],
            self._used[:n],
        )
        self._probabilities, self._capability, self._used = probabilities, capability, used

    def _forget(self) -> None:
        """Keep the current lookup's keys and the most recently used others, up to 3/4 of the capacity."""
        used = self._used[self._slots]  # in key order
        keep = used == self._lookups
        keep[np.argsort(used, kind="stable")[::-1][: self.capacity * 3 // 4]] = True
        kept = np.flatnonzero(keep)  # positions, in ascending key order
        rows = self._slots[kept]
        self._probabilities = self._probabilities[rows]
        self._capability, self._used = self._capability[rows], self._used[rows]
        self._keys, self._slots = self._keys[kept], np.arange(len(kept), dtype=np.int64)
        self._size = len(kept)

    def _find(self, keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Each key's row in the outputs (any row where it is absent) and whether it is there."""
        if len(self._keys) == 0:
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
        positions = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return self._slots[positions], self._keys[positions] == keys


def _unchanged(texts: pl.Series) -> pl.Series:
    return texts


def _conform(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch in ``EVENT_SCHEMA``: exact types pass through; equivalent ones (``large_string`` or
    ``string_view`` text, as other Arrow producers write it) are cast; anything else is refused."""
    schema = batch.schema
    if schema.equals(EVENT_SCHEMA):  # what ingest gives: the checks below cost ~0.5 ms a batch
        return batch
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
