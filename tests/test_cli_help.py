"""Every command has help text (sqlite-utils style): a command without docs is a bug."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from distillguard.cli import app

runner = CliRunner()


def _subcommands(command: Any) -> dict[str, Any]:
    # Typer ships its own click; groups are recognised by their command table.
    return dict(getattr(command, "commands", {}) or {})


def _all_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: Any, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in _subcommands(command).items():
            walk(sub, [*prefix, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_every_documented_command_is_registered() -> None:
    names = {" ".join(path) for path in _all_paths()}
    expected = {
        "scan",
        "simulate",
        "demo",
        "bench",
        "convert",
        "hub serve",
        "hub add-member",
        "share export",
        "share publish",
        "share pull",
        "share sight",
        "policy init",
        "policy check",
        "decisions",
        "override",
        "gateway",
    }
    assert expected <= names


@pytest.mark.parametrize("path", _all_paths(), ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command: Any = typer.main.get_command(app)
    for name in path:
        command = _subcommands(command)[name]
    assert (command.help or "").strip(), f"command {' '.join(path)!r} has no help text"
