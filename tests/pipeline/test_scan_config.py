"""A scan configuration file is validated on load: a typo is refused with its line, never ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from distillguard.config import ScanConfig
from distillguard.errors import ConfigError


def test_valid_config_sets_the_threshold(tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text("batch_rows: 1000\ndetect:\n  threshold: 0.7\n")
    config = ScanConfig.from_yaml(path)
    assert config.batch_rows == 1000
    assert config.detect.threshold == 0.7


def test_unknown_setting_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text("batch_rows: 1000\n\nthreshhold: 0.7\n")
    with pytest.raises(ConfigError, match="unknown setting 'threshhold'") as excinfo:
        ScanConfig.from_yaml(path)
    assert excinfo.value.context["line"] == 3


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text("batch_rows: 1000\ndetect: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as excinfo:
        ScanConfig.from_yaml(path)
    assert excinfo.value.context["line"] is not None


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text("batch_rows: lots\n")
    with pytest.raises(ConfigError, match="invalid setting"):
        ScanConfig.from_yaml(path)
