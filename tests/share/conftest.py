from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from _share_testkit import KEY

from distillguard.share import ConsortiumKey


@pytest.fixture
def key() -> ConsortiumKey:
    return ConsortiumKey(KEY.encode())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any attempt to open a network connection (validation must work offline)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield
