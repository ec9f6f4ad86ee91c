from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _hub_testkit import PASSWORDS

from distillguard.hub import HubStore, Member, new_member, open_store
from distillguard.hub.server import hub_in_thread


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    hub_store = open_store(tmp_path / "hub.db")
    yield hub_store
    hub_store.close()


@pytest.fixture
def members(store: HubStore) -> dict[str, Member]:
    registered = {}
    for name, password in PASSWORDS.items():
        member = new_member(name, password)
        store.add_member(member)
        registered[name] = member
    return registered


@pytest.fixture
def hub_url(store: HubStore, members: dict[str, Member]) -> Iterator[str]:
    with hub_in_thread(store) as url:
        yield url
