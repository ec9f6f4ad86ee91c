"""The parse workers run polars on one thread: each is meant to keep one CPU busy, beside the main process."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from distillguard.ingest import _parallel


def _polars_threads() -> int:
    import polars as pl

    return pl.thread_pool_size()


@pytest.mark.skipif("POLARS_MAX_THREADS" in os.environ, reason="the user's POLARS_MAX_THREADS is kept")
@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="no forkserver")
def test_parse_workers_run_polars_on_one_thread() -> None:
    _parallel._start_forkserver_single_threaded()
    assert "POLARS_MAX_THREADS" not in os.environ  # this process's environment is left as it was
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        assert pool.submit(_polars_threads).result() == 1
