"""The classifier kept on disk: loaded only for exactly the training that made it, else trained again."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from distillguard.fingerprint import _classifier, _model_store
from distillguard.fingerprint._classifier import TextClassifier, default_classifier
from distillguard.fingerprint._model_store import StoredModel, TrainingProvenance
from distillguard.fingerprint.training import Example, generate

TEXTS = [
    "Solve 17 * 24 and show every step of your reasoning.",
    "Rate the following answer from 1 to 10 and return JSON.",
    "Translate this paragraph into German, please.",
    "Write a Python function that parses RFC 3339 timestamps.",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(_model_store.CACHE_ENV, str(tmp_path))
    default_classifier.cache_clear()
    yield tmp_path
    default_classifier.cache_clear()


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts trainings, each a small deterministic stand-in for the real fit (fast)."""
    calls: list[int] = []

    def fake_fit(
        examples: list[Example],
        rows: npt.NDArray[np.int64],
        features: npt.NDArray[np.int64],
        c: float,
        class_weight: str | None,
    ) -> StoredModel:
        calls.append(1)
        used = np.unique(features).astype(np.int32)
        rng = np.random.default_rng(len(calls))
        weights = rng.normal(size=(len(used), len(_classifier._MODELS))).astype(np.float32)
        return StoredModel(used, weights, np.zeros(len(_classifier._MODELS), dtype=np.float32))

    monkeypatch.setattr(_classifier, "_fit", fake_fit)
    return calls


def test_first_use_trains_and_stores_then_later_processes_load_it(cache: Path, fits: list[int]) -> None:
    trained = default_classifier()
    assert fits == [1]
    [path] = cache.glob("classifier-*.npz")
    default_classifier.cache_clear()  # as a new process would start
    loaded = default_classifier()
    assert fits == [1]
    assert np.array_equal(loaded.column, trained.column)
    assert np.array_equal(loaded.weights, trained.weights) and np.array_equal(loaded.bias, trained.bias)
    skeletons = _classifier.mask_texts(TEXTS)
    assert np.array_equal(loaded.scores(skeletons), trained.scores(skeletons))
    recorded = _model_store.read_provenance(path)
    assert loaded.provenance is not None
    assert recorded == loaded.provenance.to_dict()
    assert {"scikit-learn", "polars", "numpy", "scipy"} <= set(recorded["libraries"])


def test_a_process_that_finds_its_model_imports_no_scikit_learn(cache: Path, fits: list[int]) -> None:
    default_classifier()
    code = (
        "import sys; from distillguard.fingerprint import default_classifier; default_classifier(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))"
    )
    env = {**os.environ, _model_store.CACHE_ENV: str(cache)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert "training again" not in done.stderr


def test_any_difference_in_the_training_trains_again(cache: Path, fits: list[int]) -> None:
    default_classifier()
    (path,) = cache.glob("classifier-*.npz")
    provenance = TrainingProvenance.from_dict(_model_store.read_provenance(path))
    assert _model_store.load(provenance) is not None
    changes = {
        "corpus_sha256": "0" * 64,
        "features_sha256": "0" * 64,  # e.g. polars hashing strings differently after an upgrade
        "c": 4.0,
        "class_weight": None,
        "libraries": (("scikit-learn", "0.0"),),
        "machine": "another CPU",
    }
    for name, value in changes.items():
        assert _model_store.load(dataclasses.replace(provenance, **{name: value})) is None, name


def test_a_stored_model_whose_recorded_training_differs_is_refused(
    cache: Path, fits: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    default_classifier()
    (path,) = cache.glob("classifier-*.npz")
    provenance = TrainingProvenance.from_dict(_model_store.read_provenance(path))
    # Another training's file under this training's name (a hand copy, a key collision).
    other = dataclasses.replace(provenance, c=1.0)
    model = _classifier.TextClassifier.from_stored(_model_store.load(provenance) or _fail()).stored()
    _model_store.store(model, other)
    _model_store.model_path(other, cache).replace(path)
    with caplog.at_level(logging.WARNING):
        assert _model_store.load(provenance) is None
    assert "does not match" in caplog.text


def test_a_damaged_file_is_trained_again_and_replaced(
    cache: Path, fits: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    default_classifier()
    (path,) = cache.glob("classifier-*.npz")
    path.write_bytes(path.read_bytes()[:1000])
    default_classifier.cache_clear()
    with caplog.at_level(logging.WARNING):
        default_classifier()
    assert fits == [1, 1]
    assert "unreadable" in caplog.text
    default_classifier.cache_clear()
    default_classifier()
    assert fits == [1, 1]


def test_malformed_arrays_are_refused(cache: Path, fits: list[int]) -> None:
    default_classifier()
    (path,) = cache.glob("classifier-*.npz")
    provenance = TrainingProvenance.from_dict(_model_store.read_provenance(path))
    model = _model_store.load(provenance) or _fail()
    bad = StoredModel(model.features[::-1].copy(), model.weights, model.bias)  # not ascending
    _model_store.store(bad, provenance)
    assert _model_store.load(provenance) is None
    nan = model.weights.copy()
    nan[0, 0] = np.nan
    _model_store.store(StoredModel(model.features, nan, model.bias), provenance)
    assert _model_store.load(provenance) is None


def test_an_empty_setting_turns_the_cache_off(
    cache: Path, fits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_model_store.CACHE_ENV, "")
    default_classifier()
    default_classifier.cache_clear()
    default_classifier()
    assert fits == [1, 1]
    assert not list(cache.iterdir())


def test_an_unwritable_cache_only_costs_the_training(
    cache: Path, fits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = cache / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(_model_store.CACHE_ENV, str(blocker / "sub"))
    default_classifier()
    default_classifier.cache_clear()
    default_classifier()
    assert fits == [1, 1]


def test_old_models_are_pruned(cache: Path) -> None:
    provenance = _provenance_of_corpus()
    models = len(_classifier._MODELS)
    weights, bias = np.zeros((3, models), np.float32), np.zeros(models, np.float32)
    model = StoredModel(np.arange(3, dtype=np.int32), weights, bias)
    for version in range(8):
        _model_store.store(model, dataclasses.replace(provenance, python=f"3.{version}"))
    assert len(list(cache.glob("classifier-*.npz"))) == 4


def test_the_cached_model_is_what_training_gives(cache: Path) -> None:
    """The real training, once stored and once fresh: the same arrays bit for bit."""
    stored = default_classifier()
    default_classifier.cache_clear()
    loaded = default_classifier()
    fresh = TextClassifier.train(generate())
    for model in (loaded, stored):
        assert np.array_equal(model.column, fresh.column)
        assert np.array_equal(model.weights, fresh.weights) and np.array_equal(model.bias, fresh.bias)
    assert loaded.provenance == fresh.provenance


def _provenance_of_corpus() -> TrainingProvenance:
    examples = generate()[:50]
    pairs = (np.arange(5, dtype=np.int64), np.arange(5, dtype=np.int64))
    return _classifier._provenance(examples, pairs, 8.0, "balanced")


def _fail() -> StoredModel:
    raise AssertionError("expected a stored model")
