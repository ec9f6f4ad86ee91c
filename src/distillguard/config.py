"""Scan configuration: one YAML file with a section per stage, validated on load.

Unknown keys are refused with the line they stand on, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from distillguard.detect import DetectConfig
from distillguard.errors import ConfigError
from distillguard.fingerprint import FingerprintConfig

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """How ``distillguard scan`` reads and judges traffic."""

    fmt: str = "auto"
    batch_rows: int = 50_000
    # Processes that parse and prepare input: 1 reads in-process; 0 (auto) uses one background worker that
    # parses and masks two of every three parts of large plain JSON-lines input when a second CPU is free.
    workers: int = 0
    fingerprint: FingerprintConfig = field(default_factory=FingerprintConfig)
    detect: DetectConfig = field(default_factory=DetectConfig)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<config>") -> ScanConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}", path=source
            )
        try:
            return cls(
                fmt=str(data.get("fmt", "auto")),
                batch_rows=int(data.get("batch_rows", 50_000)),
                workers=int(data.get("workers", 0)),
                fingerprint=FingerprintConfig.from_dict(data.get("fingerprint") or {}),
                detect=DetectConfig.from_dict(data.get("detect") or {}),
            )
        except ConfigError:
            raise
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid setting: {exc}", path=source) from exc

    @classmethod
    def from_yaml(cls, path: Path) -> ScanConfig:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config: {exc.strerror}", path=str(path)) from exc
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise ConfigError(
                f"config is not valid YAML: {getattr(exc, 'problem', exc)}", path=str(path), line=line
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError("config must be a mapping of settings", path=str(path))
        _check_keys_with_lines(text, data, path)
        return cls.from_dict(data, source=str(path))

    def with_threshold(self, threshold: float) -> ScanConfig:
        return dataclasses.replace(self, detect=dataclasses.replace(self.detect, threshold=threshold))


def _check_keys_with_lines(text: str, data: dict[str, Any], path: Path) -> None:
    """Name the line of the first unknown top-level key, which is what a person needs to fix it."""
    known = {f.name for f in dataclasses.fields(ScanConfig)}
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, _ in node.value:
        if key_node.value not in known:
            raise ConfigError(
                f"unknown setting {key_node.value!r}; known: {', '.join(sorted(known))}",
                path=str(path),
                line=key_node.start_mark.line + 1,
            )
