"""Handing memory that a stage freed back to the system, so that the next one does not stack on top of it."""

from __future__ import annotations

import contextlib
import ctypes
import gc

import pyarrow as pa


def release_free_memory() -> None:
    """Hand memory that parsing freed back to the system before detection allocates its own.

    Parsing JSON makes millions of short-lived Python objects; the allocators keep the freed pages for
    reuse, and the ones detection asks for are not always those, so the process's peak grew by what
    parsing had left behind (~100 MB on 1M events when this process parses part of the input).
    """
    gc.collect()
    trim_free_memory()


def trim_free_memory() -> None:
    """``release_free_memory`` without its garbage collection (~35 ms in a scan's process; this ~1 ms):
    Arrow's pool and glibc's heap hand their freed pages back."""
    release_arrow_memory()
    with contextlib.suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def release_arrow_memory() -> None:
    """Return the Arrow pool's freed memory to the system (mimalloc and jemalloc otherwise keep it)."""
    pa.default_memory_pool().release_unused()
