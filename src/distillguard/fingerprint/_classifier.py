"""Elicitation labels and capability from prompt text: hashed n-grams and linear models.

One logistic regression per label (``LABELS``, one-vs-rest: a prompt may both grade and ask for
reasoning) and one per text capability, the highest-scoring capability winning. The models are
trained at first use from the generated corpus (``training``), deterministically, in about a second, and
cached for the process: shipping weights would mean shipping megabytes of hashed coefficients tied to
the feature hashing, while the corpus is small, readable and reviewable.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from distillguard.fingerprint._features import N_FEATURES, featurize, hashed_features
from distillguard.fingerprint._masking import skeleton_expr
from distillguard.fingerprint.schema import CAPABILITIES, LABELS
from distillguard.fingerprint.training import Example, generate

# Capabilities the text model predicts; "agentic" comes from the request shape (tools), not from text.
TEXT_CAPABILITIES: Final = tuple(c for c in CAPABILITIES if c != "agentic")
_MASK_CHARS: Final = 4096
_C: Final = 8.0
_CLASS_WEIGHT: Final[str | None] = "balanced"


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

    @classmethod
    def train(
        cls, examples: Sequence[Example], c: float = _C, class_weight: str | None = _CLASS_WEIGHT
    ) -> TextClassifier:
        # Imported here: scikit-learn is only needed to train, and processes that only ``prepare`` batches
        # import this package without training (it costs ~1.5 s and ~100 MB per process).
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        features = featurize(mask_texts([e.text for e in examples]))
        # Fit in the space of the hashed columns the corpus uses (~20k of 1M): the solvers' cost grows
        # with the width of the matrix, and unused columns would get zero weight anyway.
        used = np.unique(features.indices)
        compact = features[:, used]
        targets = [np.array([label in e.labels for e in examples]) for label in LABELS]
        targets += [np.array([e.capability == c for e in examples]) for c in TEXT_CAPABILITIES]
        weights = np.zeros((len(used), len(targets)), dtype=np.float32)
        bias = np.zeros(len(targets), dtype=np.float32)
        # One thread: BLAS threads fighting over two shared cores made training 30x slower when measured.
        with threadpool_limits(limits=1):
            for index, target in enumerate(targets):
                if not target.any():
                    bias[index] = -30.0  # a capability the corpus never shows: never predicted
                    continue
                model = LogisticRegression(C=c, class_weight=class_weight, solver="liblinear", max_iter=200)
                model.fit(compact, target.astype(np.int8))
                weights[:, index] = model.coef_[0]
                bias[index] = model.intercept_[0]
        column = np.full(N_FEATURES, -1, dtype=np.int32)
        column[used] = np.arange(len(used), dtype=np.int32)
        return cls(column, weights, bias)

    def scores(self, skeletons: pl.Series) -> npt.NDArray[np.float32]:
        """Decision values (n x models): the weights of a row's known features over the row's L2 norm."""
        import scipy.sparse as sp  # type: ignore[import-untyped]

        n = len(skeletons)
        rows, features = hashed_features(skeletons)
        norms = np.sqrt(np.maximum(np.bincount(rows, minlength=n), 1)).astype(np.float32)
        compact = self.column[features]
        known = compact >= 0
        # Rows come sorted: a CSR matrix of the known features times the weights sums each row's weights
        # in C, in the same order as a per-row reduction would.
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[known], minlength=n))])
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
    """The classifier trained on the whole generated corpus, once per process."""
    return TextClassifier.train(generate())
