"""``distillguard hub add-member`` and ``hub serve`` as a user runs them."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from taxii2client.v21 import Server
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.hub import open_store
from distillguard.hub.server import free_port

runner = CliRunner()
# The installed console script, next to this interpreter.
DISTILLGUARD = str(Path(sys.executable).parent / "distillguard")


def test_add_member_prints_identity_and_stores_a_hash(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    result = runner.invoke(
        app, ["hub", "add-member", "provider-a", "--password", "alpha-secret-1", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    identity = result.output.strip()
    assert re.fullmatch(r"identity--[0-9a-f-]{36}", identity)
    store = open_store(db)
    member = store.get_member("provider-a")
    store.close()
    assert member is not None and member.identity_id == identity
    assert b"alpha-secret-1" not in db.read_bytes()


def test_add_member_twice_is_a_clear_error(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    runner.invoke(app, ["hub", "add-member", "provider-a", "--password", "alpha-secret-1", "--db", db])
    result = subprocess.run(
        [DISTILLGUARD, "hub", "add-member", "provider-a", "--password", "x" * 9, "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "already exists" in result.stderr


@pytest.mark.slow
def test_hub_serve_answers_taxii2_client(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    runner.invoke(app, ["hub", "add-member", "provider-a", "--password", "alpha-secret-1", "--db", db])
    port = free_port()
    proc = subprocess.Popen(
        [DISTILLGUARD, "hub", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server = Server(
                    f"http://127.0.0.1:{port}/taxii2/", user="provider-a", password="alpha-secret-1"
                )
                assert server.title
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "hub serve did not come up"
                time.sleep(0.2)
        assert server.api_roots[0].collections[0].title == "distillation-indicators"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
