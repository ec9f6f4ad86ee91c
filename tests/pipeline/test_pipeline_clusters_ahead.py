"""The template clusters run on a thread beside the rest: same clusters, same result, errors not lost.

``detect`` starts the catalog's clusters on a thread of their own and joins them onto the events only when
the account features need them; the scan starts them even earlier, as soon as its catalog is complete.
The plain definition they are compared with: the clusters computed first, in this thread, and joined onto
the events before detection (a frame that already has ``template_cluster`` is detected as it is).
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

from distillguard import pipeline
from distillguard.config import ScanConfig
from distillguard.detect import DetectConfig, PendingClusters, detect
from distillguard.detect._compare import result_differences
from distillguard.detect._engine import template_clusters
from distillguard.fingerprint import FingerprintConfig, Fingerprinter, TemplateCatalog
from distillguard.ingest import Quarantine, _parallel, read_events
from distillguard.pipeline import FingerprintedEvents, fingerprint_events, scan
from distillguard.simulate import SimulationSummary


@pytest.fixture(scope="module")
def fingerprinted(
    small_platform: SimulationSummary, tmp_path_factory: pytest.TempPathFactory
) -> FingerprintedEvents:
    config = ScanConfig(batch_rows=4_000)
    with Quarantine(tmp_path_factory.mktemp("ahead") / "q.jsonl") as quarantine:
        batches = read_events([small_platform.traffic_path], quarantine=quarantine, batch_rows=4_000)
        return fingerprint_events(batches, config)


def _clustered_first(events: pl.DataFrame, catalog: TemplateCatalog, config: DetectConfig) -> pl.DataFrame:
    """The plain definition: the clusters computed here, then joined onto the events."""
    table = template_clusters(catalog, config)
    cluster = events.select("template_hash").join(
        table, on="template_hash", how="left", maintain_order="left"
    )
    return events.with_columns(cluster["template_cluster"].fill_null(events["template_hash"]))


def test_clusters_on_a_thread_give_the_result_of_clusters_computed_first(
    fingerprinted: FingerprintedEvents,
) -> None:
    config = DetectConfig()
    events, catalog = fingerprinted.events, fingerprinted.catalog
    clustered = _clustered_first(events, catalog, config)
    # The clusters matter here: some near-duplicate templates share a cluster led by another template.
    assert (clustered["template_cluster"] != clustered["template_hash"]).any()
    expected = detect(clustered, catalog, config)
    assert expected.campaigns
    # ... and change the result, so that clusters dropped or joined wrongly would show.
    assert result_differences(expected, detect(events, None, config))
    assert result_differences(expected, detect(events, catalog, config)) == []
    started = PendingClusters.start(catalog, config)
    assert result_differences(expected, detect(events, catalog, config, clusters=started)) == []


def test_pending_clusters_are_the_catalog_clusters(fingerprinted: FingerprintedEvents) -> None:
    config = DetectConfig()
    table = PendingClusters.start(fingerprinted.catalog, config).result()
    assert table is not None
    assert table.sort("template_hash").equals(
        template_clusters(fingerprinted.catalog, config).sort("template_hash")
    )
    assert PendingClusters.start(None, config).result() is None


def test_without_a_catalog_each_template_is_its_own_group(fingerprinted: FingerprintedEvents) -> None:
    config = DetectConfig()
    events = fingerprinted.events
    alone = events.with_columns(pl.col("template_hash").alias("template_cluster"))
    expected = detect(alone, None, config)
    assert result_differences(expected, detect(events, None, config)) == []
    assert (
        result_differences(
            expected, detect(events, None, config, clusters=PendingClusters.start(None, config))
        )
        == []
    )


class _FailingCatalog:
    """A catalog whose signatures cannot be read (what the thread raises must reach the caller)."""

    def __init__(self) -> None:
        self.thread = ""

    def to_arrow(self) -> pa.Table:
        self.thread = threading.current_thread().name
        raise RuntimeError("signatures unreadable")

    def preview(self, template_hash: int) -> str | None:
        return None


def test_an_error_in_the_clusters_thread_reaches_the_caller(fingerprinted: FingerprintedEvents) -> None:
    catalog = _FailingCatalog()
    with pytest.raises(RuntimeError, match="signatures unreadable"):
        detect(fingerprinted.events, catalog, DetectConfig())  # type: ignore[arg-type]
    assert catalog.thread.startswith("template-clusters")  # it did run on the thread


def test_the_scan_starts_the_clusters_once_its_catalog_is_complete(
    small_platform: SimulationSummary,
    fingerprinted: FingerprintedEvents,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[int] = []
    start = PendingClusters.start.__func__  # type: ignore[attr-defined]

    def counting(
        cls: type[PendingClusters], catalog: TemplateCatalog, config: DetectConfig
    ) -> PendingClusters:
        started.append(len(catalog))
        return start(cls, catalog, config)  # type: ignore[no-any-return]

    monkeypatch.setattr(PendingClusters, "start", classmethod(counting))
    report = scan([small_platform.traffic_path], quarantine_path=tmp_path / "q.jsonl")
    assert started == [len(fingerprinted.catalog)]  # once, with every template catalogued
    expected = detect(fingerprinted.events, fingerprinted.catalog, DetectConfig())
    assert result_differences(expected, report.result) == []


def test_the_scan_makes_its_catalog_after_starting_the_parse_worker(
    small_platform: SimulationSummary,
    small_parts: ScanConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The catalog's MinHasher imports datasketch and scipy (~0.8 s): paid while the worker starts, not
    # before it is launched.
    log: list[str] = []

    class Recording(Fingerprinter):
        def __init__(self, config: FingerprintConfig | None = None) -> None:
            log.append("fingerprinter")
            super().__init__(config)

    class Pool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            log.append("pool")
            super().__init__(*args, **kwargs)

    # A catalog that does not evict: with eviction, which template previews survive can differ between a
    # scan in parts and one in this process (as on main before this change).
    config = dataclasses.replace(small_parts, fingerprint=FingerprintConfig())
    monkeypatch.setattr(pipeline, "Fingerprinter", Recording)
    monkeypatch.setattr(_parallel, "ProcessPoolExecutor", Pool)
    report = scan([small_platform.traffic_path], quarantine_path=tmp_path / "q.jsonl", config=config)
    assert log[0] == "pool" and log.count("fingerprinter") == 1
    alone = scan(
        [small_platform.traffic_path],
        quarantine_path=tmp_path / "q1.jsonl",
        config=dataclasses.replace(config, workers=1),
    )
    assert result_differences(alone.result, report.result) == []
