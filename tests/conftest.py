"""Settings every test shares."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from distillguard.fingerprint._model_store import CACHE_ENV


@pytest.fixture(scope="session", autouse=True)
def _private_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The trained classifier is cached in a directory of this test session, not the user's own cache:
    a test run neither reads a model left by another install nor leaves one behind. Set in the
    environment so that the scans tests start as subprocesses use it too; it trains once per session."""
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("model-cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before
