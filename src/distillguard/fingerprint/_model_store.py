"""The trained text classifier kept on disk between processes, keyed by exactly what trained it.

Training, with the scikit-learn import, cost a scan's main process (its critical path) ~1.3 CPU s on a
quiet machine and more under load, for a result that is a pure function of its inputs. Those inputs are
recorded as a ``TrainingProvenance``: the digest of the generated corpus, the digest of the hashed
features the fit sees (which covers the masking, the tokenisation and polars' string hash, whatever their
versions), the hyperparameters, the library versions, and the machine (BLAS kernels differ by CPU). A
model is stored under the digest of its provenance and loaded only when the stored provenance equals the
one computed now (~0.2 s: generating, masking and hashing the corpus); on any difference, or an
unreadable file, it is trained again and stored anew. The loaded arrays are the trained ones bit for bit,
so labels are exactly those of a fresh training on this machine.

Why a cache rather than weights shipped in the package: a shipped model is trained on another machine
(other BLAS kernels, so weights that may differ in the last bits from a local training) and goes stale
silently when the corpus, the masking or polars' hash changes; this one is always reproducible from the
reviewable corpus in ``training`` and cannot be stale. The file is small (~0.6 MB: the ~12,500 hashed
features the corpus uses, 11 float32 weights each) and holds nothing from the scanned traffic.

Where: ``$DISTILLGUARD_CACHE_DIR`` if set (set to an empty value to turn the cache off), else
``$XDG_CACHE_HOME/distillguard`` or ``~/.cache/distillguard``. A cache that cannot be written is skipped
(the model is then trained in every process, as without a cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from distillguard.fingerprint.training import Example

log = logging.getLogger(__name__)

CACHE_ENV: Final = "DISTILLGUARD_CACHE_DIR"
_PREFIX: Final = "classifier-"
# Models of other provenances (another install's library versions) kept beside the current one.
_KEEP: Final = 4
_LIBRARIES: Final = ("scikit-learn", "scipy", "numpy", "polars")
# Bumped when the stored layout changes.
_FORMAT: Final = 1


@dataclass(frozen=True)
class TrainingProvenance:
    """Everything a trained ``TextClassifier`` is a function of."""

    corpus_sha256: str  # the examples: text, labels, capability
    features_sha256: str  # the (row, hashed feature) pairs of the masked corpus: the fit's exact input
    examples: int
    c: float
    class_weight: str | None
    solver: str
    max_iter: int
    models: tuple[str, ...]  # the columns of the weights: labels, then capabilities
    n_features: int  # hash buckets
    libraries: tuple[tuple[str, str], ...]
    python: str
    machine: str  # architecture and CPU model: BLAS picks its kernels by CPU
    format: int = _FORMAT

    @classmethod
    def of(
        cls,
        examples: Sequence[Example],
        pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
        *,
        c: float,
        class_weight: str | None,
        solver: str,
        max_iter: int,
        models: Sequence[str],
        n_features: int,
    ) -> TrainingProvenance:
        corpus = hashlib.sha256()
        for example in examples:
            record = [example.text, sorted(example.labels), example.capability]
            corpus.update(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        features = hashlib.sha256()
        for array in pairs:
            features.update(np.ascontiguousarray(array, dtype="<i8").tobytes())
        return cls(
            corpus_sha256=corpus.hexdigest(),
            features_sha256=features.hexdigest(),
            examples=len(examples),
            c=float(c),
            class_weight=class_weight,
            solver=solver,
            max_iter=max_iter,
            models=tuple(models),
            n_features=n_features,
            libraries=tuple((name, package_version(name)) for name in sorted(_LIBRARIES)),
            python=platform.python_version(),
            machine=_machine(),
        )

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["models"] = list(self.models)
        data["libraries"] = dict(self.libraries)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingProvenance:
        return cls(
            corpus_sha256=str(data["corpus_sha256"]),
            features_sha256=str(data["features_sha256"]),
            examples=int(data["examples"]),
            c=float(data["c"]),
            class_weight=None if data["class_weight"] is None else str(data["class_weight"]),
            solver=str(data["solver"]),
            max_iter=int(data["max_iter"]),
            models=tuple(str(m) for m in data["models"]),
            n_features=int(data["n_features"]),
            libraries=tuple(sorted((str(k), str(v)) for k, v in dict(data["libraries"]).items())),
            python=str(data["python"]),
            machine=str(data["machine"]),
            format=int(data["format"]),
        )


@dataclass(frozen=True, eq=False)
class StoredModel:
    """A linear model over the hashed features it has weights for (ascending bucket numbers)."""

    features: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]  # len(features) x models
    bias: npt.NDArray[np.float32]  # models


def cache_dir() -> Path | None:
    """Where models are kept, or None when the cache is turned off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured).expanduser() if configured else None
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "distillguard" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "distillguard"


def model_path(provenance: TrainingProvenance, directory: Path) -> Path:
    return directory / f"{_PREFIX}{provenance.key[:32]}.npz"


def load(provenance: TrainingProvenance) -> StoredModel | None:
    """The model stored for exactly this provenance, or None (not stored, unreadable, or not matching)."""
    directory = cache_dir()
    if directory is None:
        return None
    path = model_path(provenance, directory)
    try:
        with np.load(path, allow_pickle=False) as stored:
            recorded = TrainingProvenance.from_dict(json.loads(str(stored["provenance"])))
            model = StoredModel(stored["features"], stored["weights"], stored["bias"])
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        log.warning("ignoring unreadable classifier cache %s (%s); training again", path, exc)
        return None
    if recorded != provenance or not _well_formed(model, provenance):
        log.warning("ignoring classifier cache %s: it does not match this training; training again", path)
        return None
    return model


def store(model: StoredModel, provenance: TrainingProvenance) -> Path | None:
    """Write the model atomically (concurrent scans may race: the last complete write wins); None when the
    cache is off or cannot be written."""
    directory = cache_dir()
    if directory is None:
        return None
    path = model_path(provenance, directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".tmp-", suffix=".npz", delete=False) as tmp:
            np.savez(
                tmp,
                features=model.features,
                weights=model.weights,
                bias=model.bias,
                provenance=np.array(json.dumps(provenance.to_dict(), sort_keys=True, indent=1)),
            )
        os.replace(tmp.name, path)
    except OSError as exc:
        log.warning("cannot write the classifier cache in %s (%s); it will be trained again", directory, exc)
        with contextlib.suppress(NameError, OSError):
            os.unlink(tmp.name)
        return None
    _prune(directory, path)
    return path


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance recorded in a stored model (for people: ``python -c`` or the docs' example)."""
    with np.load(path, allow_pickle=False) as stored:
        data: dict[str, Any] = json.loads(str(stored["provenance"]))
    return data


def _well_formed(model: StoredModel, provenance: TrainingProvenance) -> bool:
    features, weights, bias = model.features, model.weights, model.bias
    models = len(provenance.models)
    return bool(
        features.dtype == np.int32
        and weights.dtype == np.float32
        and bias.dtype == np.float32
        and features.ndim == 1
        and weights.shape == (len(features), models)
        and bias.shape == (models,)
        and (len(features) == 0 or (features[0] >= 0 and features[-1] < provenance.n_features))
        and bool(np.all(features[1:] > features[:-1]))
        and bool(np.isfinite(weights).all() and np.isfinite(bias).all())
    )


def _prune(directory: Path, current: Path) -> None:
    """Keep the newest few models: other installs (library versions) may share the directory."""
    with contextlib.suppress(OSError):
        others = sorted(
            (p for p in directory.glob(f"{_PREFIX}*.npz") if p != current),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in others[_KEEP - 1 :]:
            old.unlink(missing_ok=True)


def _machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    kernel = os.environ.get("OPENBLAS_CORETYPE", "")
    return " / ".join(part for part in (platform.machine(), cpu or platform.processor(), kernel) if part)
