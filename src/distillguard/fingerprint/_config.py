"""Settings of the fingerprint stage."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from distillguard.errors import ConfigError


@dataclass(frozen=True)
class FingerprintConfig:
    """How much text each step looks at, and the template catalog's sketch parameters.

    The defaults keep the per-event cost bounded whatever the prompt size: masking reads at most
    ``skeleton_chars`` of the user text, the classifier at most ``classifier_chars`` of the skeleton (its
    head and its tail, because an instruction such as "show every step" is often appended after a long
    problem) plus ``classifier_system_chars`` of the system prompt.
    """

    skeleton_chars: int = 4096
    classifier_chars: int = 1000
    classifier_tail_chars: int = 300
    classifier_system_chars: int = 400
    payload_word_chars: int = 2000
    payload_words: int = 32
    # Template catalog: MinHash over word 3-shingles of the skeleton, capped at this many templates.
    num_perm: int = 64
    minhash_seed: int = 1
    shingle_size: int = 3
    shingle_chars: int = 300
    max_templates: int = 200_000
    preview_chars: int = 300
    # Memo of classifier outputs per template and per system prompt across batches; when full it keeps the
    # most recently asked 3/4.
    classifier_cache_size: int = 200_000

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(f"fingerprint setting '{item.name}' must be an integer", value=value)
            if item.name != "minhash_seed" and value < 1:
                raise ConfigError(f"fingerprint setting '{item.name}' must be positive", value=value)
        if self.classifier_tail_chars >= self.classifier_chars:
            raise ConfigError("classifier_tail_chars must be smaller than classifier_chars")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FingerprintConfig:
        known = {item.name for item in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown fingerprint setting '{unknown[0]}'", known=", ".join(sorted(known)))
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
