"""Elicitation labels and capability from prompt text: hashed n-grams and linear models.

One logistic regression per label (``LABELS``, one-vs-rest: a prompt may both grade and ask for
reasoning) and one per text capability, the highest-scoring capability winning. The models are trained
from the generated corpus (``training``), deterministically, and cached for the process and on disk
(``_model_store``: keyed by everything the training is a function of, so a stored model is exactly what
training would give now, and never stale). Importing scikit-learn and training cost ~1.3 CPU s in a
process that has scipy loaded already (a scan's main process), ~2 s in a fresh one; checking and loading
the stored model ~0.2 s. The corpus is small, readable and reviewable, and the weights are not shipped:
see ``_model_store``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from distillguard.fingerprint import _model_store
from distillguard.fingerprint._features import N_FEATURES, feature_keys, hashed_features, normalized_matrix
from distillguard.fingerprint._masking import skeleton_expr
from distillguard.fingerprint._model_store import StoredModel, TrainingProvenance
from distillguard.fingerprint.schema import CAPABILITIES, LABELS
from distillguard.fingerprint.training import Example, generate

# Capabilities the text model predicts; "agentic" comes from the request shape (tools), not from text.
TEXT_CAPABILITIES: Final = tuple(c for c in CAPABILITIES if c != "agentic")
_MASK_CHARS: Final = 4096
_C: Final = 8.0
_CLASS_WEIGHT: Final[str | None] = "balanced"
_SOLVER: Final = "liblinear"
_MAX_ITER: Final = 200
_MODELS: Final = LABELS + TEXT_CAPABILITIES  # the columns of the weights


def mask_texts(texts: Sequence[str]) -> pl.Series:
    """The skeletons the classifier sees at run time, for raw training or test texts."""
    frame = pl.DataFrame({"text": list(texts)}, schema={"text": pl.String})
    return frame.select(skeleton_expr(pl.col("text"), _MASK_CHARS))["text"]


@dataclass(frozen=True, eq=False)
class TextClassifier:
    """Linear models over hashed n-gram rows.

    Only the hashed features the training corpus uses have weights: ``column`` maps a hashed feature to
    its row of ``weights`` (features x models) or -1. Scoring gathers those rows, which is much faster
    than a product with a dense matrix over all hash buckets.
    """

    column: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]

    # Where a model trained on the corpus came from (None for one built otherwise).
    provenance: TrainingProvenance | None = None

    @classmethod
    def train(
        cls, examples: Sequence[Example], c: float = _C, class_weight: str | None = _CLASS_WEIGHT
    ) -> TextClassifier:
        rows, features = hashed_features(mask_texts([e.text for e in examples]))
        provenance = _provenance(examples, (rows, features), c, class_weight)
        return cls.from_stored(_fit(examples, rows, features, c, class_weight), provenance)

    @classmethod
    def from_stored(cls, model: StoredModel, provenance: TrainingProvenance | None = None) -> TextClassifier:
        column = np.full(N_FEATURES, -1, dtype=np.int32)
        column[model.features] = np.arange(len(model.features), dtype=np.int32)
        return cls(column, model.weights, model.bias, provenance)

    def stored(self) -> StoredModel:
        """The model as it is kept on disk: the hashed features it has weights for, and those weights."""
        features = np.flatnonzero(self.column >= 0).astype(np.int32)
        order = self.column[features]
        return StoredModel(features, self.weights[order], self.bias)

    def scores(self, skeletons: pl.Series) -> npt.NDArray[np.float32]:
        """Decision values (n x models): the weights of a row's known features over the row's L2 norm."""
        import scipy.sparse as sp  # type: ignore[import-untyped]

        n = len(skeletons)
        keys = feature_keys(skeletons)
        # The keys are sorted (row << 32 | bucket) and distinct: each row's run starts where the first key
        # of that row would go, and the run's length is the row's number of distinct features.
        starts = np.searchsorted(keys, np.arange(n + 1, dtype=np.uint64) << np.uint64(32))
        norms = np.sqrt(np.maximum(np.diff(starts), 1)).astype(np.float32)
        compact = self.column[keys.astype(np.uint32)]
        known = compact >= 0
        # Rows come sorted: a CSR matrix of the known features times the weights sums each row's weights
        # in C, in the same order as a per-row reduction would.
        known_before = np.zeros(len(known) + 1, dtype=np.int64)
        np.cumsum(known, out=known_before[1:])
        indptr = known_before[starts]
        indices = compact[known]
        matrix = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(n, self.weights.shape[0])
        )
        totals = np.asarray(matrix @ self.weights, dtype=np.float32)
        return totals / norms[:, None] + self.bias

    def predict(self, skeletons: pl.Series) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Label probabilities (n x len(LABELS)) and the index into ``CAPABILITIES`` for masked texts."""
        scores = self.scores(skeletons)
        probabilities = 1.0 / (1.0 + np.exp(-scores[:, : len(LABELS)]))
        best = np.argmax(scores[:, len(LABELS) :], axis=1)
        capability_index = np.array([CAPABILITIES.index(c) for c in TEXT_CAPABILITIES], dtype=np.int64)[best]
        return probabilities.astype(np.float32), capability_index

    def predict_texts(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float32], list[str]]:
        """Convenience for raw texts (tests, the docs): probabilities and capability names."""
        probabilities, capability = self.predict(mask_texts(texts))
        return probabilities, [CAPABILITIES[i] for i in capability]


@functools.cache
def default_classifier() -> TextClassifier:
    """The classifier trained on the whole generated corpus, once per process: loaded from the on-disk
    cache when a model of exactly this training is there, otherwise trained and stored."""
    examples = generate()
    rows, features = hashed_features(mask_texts([e.text for e in examples]))
    provenance = _provenance(examples, (rows, features), _C, _CLASS_WEIGHT)
    stored = _model_store.load(provenance)
    if stored is None:
        stored = _fit(examples, rows, features, _C, _CLASS_WEIGHT)
        _model_store.store(stored, provenance)
    return TextClassifier.from_stored(stored, provenance)


def _provenance(
    examples: Sequence[Example],
    pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    c: float,
    class_weight: str | None,
) -> TrainingProvenance:
    return TrainingProvenance.of(
        examples,
        pairs,
        c=c,
        class_weight=class_weight,
        solver=_SOLVER,
        max_iter=_MAX_ITER,
        models=_MODELS,
        n_features=N_FEATURES,
    )


def _fit(
    examples: Sequence[Example],
    rows: npt.NDArray[np.int64],
    features: npt.NDArray[np.int64],
    c: float,
    class_weight: str | None,
) -> StoredModel:
    """One logistic regression per column of ``_MODELS`` over the examples' hashed features."""
    # Imported here: scikit-learn is only needed to train, and a scan that finds its model in the cache,
    # or a process that only ``prepare``s batches, never imports it (~1.3 s and ~100 MB per process).
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    matrix = normalized_matrix(rows, features, len(examples))
    # Fit in the space of the hashed columns the corpus uses (~12k of 1M): the solvers' cost grows
    # with the width of the matrix, and unused columns would get zero weight anyway.
    used = np.unique(features)
    compact = matrix[:, used]
    targets = [np.array([label in e.labels for e in examples]) for label in LABELS]
    targets += [np.array([e.capability == name for e in examples]) for name in TEXT_CAPABILITIES]
    weights = np.zeros((len(used), len(targets)), dtype=np.float32)
    bias = np.zeros(len(targets), dtype=np.float32)
    # One thread: BLAS threads fighting over two shared cores made training 30x slower when measured.
    with threadpool_limits(limits=1):
        for index, target in enumerate(targets):
            if not target.any():
                bias[index] = -30.0  # a capability the corpus never shows: never predicted
                continue
            model = LogisticRegression(C=c, class_weight=class_weight, solver=_SOLVER, max_iter=_MAX_ITER)
            model.fit(compact, target.astype(np.int8))
            weights[:, index] = model.coef_[0]
            bias[index] = model.intercept_[0]
    return StoredModel(used.astype(np.int32), weights, bias)
