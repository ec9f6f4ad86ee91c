"""The scan: ingest → fingerprint → account features → detect → report, as one library call.

Raw text is dropped batch by batch at the fingerprint stage, so memory grows with the number of events
(and of distinct templates), not with prompt size.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from distillguard._memory import release_free_memory as release_free_memory  # part of this module's API
from distillguard._memory import trim_free_memory
from distillguard.config import ScanConfig
from distillguard.detect import PendingClusters, detect
from distillguard.detect.types import DetectionResult
from distillguard.fingerprint import Fingerprinter, PreparedBatch, TemplateCatalog, prepare
from distillguard.fingerprint.schema import FINGERPRINT_SCHEMA
from distillguard.ingest import Quarantine, read_mapped
from distillguard.report import DetectionReport, ReportWindow

if TYPE_CHECKING:
    from distillguard.share.keys import ConsortiumKey

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class PeerInput:
    """A bundle pulled from the consortium hub and the peers whose signals this provider trusts."""

    path: Path
    trust: tuple[str, ...]  # "NAME" or "NAME=WEIGHT"
    # The consortium key; None reads it from DISTILLGUARD_CONSORTIUM_KEY.
    key: ConsortiumKey | None = None


@dataclass(frozen=True, slots=True)
class FingerprintedEvents:
    """Everything detection needs from a scan's input, with the text already gone."""

    events: pl.DataFrame
    catalog: TemplateCatalog

    @property
    def window(self) -> ReportWindow:
        if self.events.is_empty():
            return ReportWindow(None, None)
        ts = self.events.get_column("ts")
        return ReportWindow(_as_datetime(ts.min()), _as_datetime(ts.max()))


def fingerprint_events(
    batches: Iterable[pa.RecordBatch], config: ScanConfig, progress: ProgressCallback | None = None
) -> FingerprintedEvents:
    fingerprinter = Fingerprinter(config.fingerprint)
    return _collect(fingerprinter, map(fingerprinter.fingerprint, batches), progress)


def fingerprint_prepared(
    prepared: Iterable[PreparedBatch],
    config: ScanConfig,
    progress: ProgressCallback | None = None,
    fingerprinter: Fingerprinter | None = None,
) -> FingerprintedEvents:
    """The stage's second half over batches that ``fingerprint.prepare`` already reduced (in the parse
    workers): labels and the template catalog (of ``fingerprinter``, a new one by default)."""
    fingerprinter = fingerprinter or Fingerprinter(config.fingerprint)
    return _collect(fingerprinter, map(fingerprinter.finish, prepared), progress)


def _collect(
    fingerprinter: Fingerprinter, reduced: Iterable[pa.RecordBatch], progress: ProgressCallback | None
) -> FingerprintedEvents:
    return FingerprintedEvents(frame_from_batches(_reduced(reduced, progress)), fingerprinter.catalog)


def _reduced(reduced: Iterable[pa.RecordBatch], progress: ProgressCallback | None) -> list[pa.RecordBatch]:
    # The reduced batches are held as Arrow and become one polars frame column by column at the end
    # (``frame_from_batches``), so the frame is never held twice.
    batches: list[pa.RecordBatch] = []
    for batch in reduced:
        batches.append(batch)
        if progress is not None:
            progress(batch.num_rows)
    return batches


def frame_from_batches(batches: list[pa.RecordBatch]) -> pl.DataFrame:
    """One single-chunk polars frame (``FINGERPRINT_SCHEMA``) from record batches, emptying ``batches``.

    Column by column: a column's pieces are joined in Arrow, dropped, and their memory handed back to the
    system before the next column, so the extra memory is about one column. Converting each batch to
    polars first and joining polars columns at the end (as before) freed the pieces into polars' allocator,
    which keeps freed memory for a while: the whole frame was briefly held twice, +350 MB on 1M events at
    the end of the fingerprint stage, the scan's peak.
    """
    schema = batches[0].schema if batches else FINGERPRINT_SCHEMA
    pieces = {name: [batch.column(name) for batch in batches] for name in schema.names}
    batches.clear()
    columns = []
    for field in schema:
        parts = pieces.pop(field.name)
        joined = pa.concat_arrays(parts) if parts else pa.array([], type=field.type)
        del parts
        trim_free_memory()
        column = pl.from_arrow(joined)
        assert isinstance(column, pl.Series)
        columns.append(column.alias(field.name))
        del joined
    return pl.DataFrame(columns)


def detect_events(batches: Iterable[pa.RecordBatch], config: ScanConfig | None = None) -> DetectionResult:
    """Detection over canonical event batches already in memory (the gateway's sliding window)."""
    config = config or ScanConfig()
    data = fingerprint_events(batches, config)
    return detect(data.events, data.catalog, config.detect)


def scan(
    paths: Sequence[Path],
    *,
    quarantine_path: Path,
    config: ScanConfig | None = None,
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
    peer: PeerInput | None = None,
) -> DetectionReport:
    """Read log files, detect, and return the report (DESIGN.md output contract).

    With ``peer``, indicators pulled from trusted peers are matched against the local accounts and added
    as ``peer_indicator`` evidence; a peer's signal alone never flags an account by default.
    """
    config = config or ScanConfig()
    fingerprinter = _FirstNeeded(config)
    with Quarantine(quarantine_path) as quarantine:
        # The stateless half of fingerprinting runs where each batch is parsed (background workers on a
        # large input), so the text never crosses between processes and both CPUs stay busy. While this
        # process waits for a worker's batch it gets the classifier (cached on disk, else trained) and signs
        # the catalogued templates, work that would otherwise run later (the signatures in detection, with
        # the second CPU idle); with nothing of that left, it parses the next part itself (``steal``).
        prepared = read_mapped(
            paths,
            functools.partial(prepare, config=config.fingerprint),
            fmt=config.fmt,
            quarantine=quarantine,
            batch_rows=config.batch_rows,
            workers=config.workers,
            idle=fingerprinter.work_ahead,
        )
        batches = _reduced(map(fingerprinter.finish, prepared), progress)
        quarantined = quarantine.count
    # The catalog is complete once the last batch is finished: its template clusters (the last
    # signatures, then banding) start on a thread now, beside the frame's assembly and detection's first
    # steps, instead of at the head of detection with the second CPU idle (the parse worker has ended).
    catalog = fingerprinter.built.catalog
    clusters = PendingClusters.start(catalog, config.detect)
    data = FingerprintedEvents(frame_from_batches(batches), catalog)
    release_free_memory()
    result = detect(data.events, data.catalog, config.detect, clusters=clusters)
    meta: dict[str, Any] = {"sources": [str(p) for p in paths], "quarantine_file": str(quarantine_path)}
    meta["model_first_seen"] = _model_first_seen(data.events)  # share export: release-relative pivots
    if peer is not None:
        from distillguard.share.correlate import apply_peer_file

        result, extras = apply_peer_file(
            data.events,
            data.catalog,
            result,
            peer.path,
            peer.trust,
            key=peer.key,
            now=now,
            detect_config=config.detect,
        )
        meta.update(extras)
    return DetectionReport(
        generated_at=now or datetime.now(UTC),
        window=data.window,
        events=data.events.height,
        quarantined=quarantined,
        result=result,
        meta=meta,
    )


class _FirstNeeded:
    """The scan's ``Fingerprinter``, made when it is first needed: its template catalog's MinHasher imports
    datasketch (and with it scipy, ~0.8 s), which made the scan's first second serial when paid before the
    parse worker was started. Made by the first ``work_ahead`` (the scan waits for the worker's first part
    then) or the first ``finish``, whichever comes first."""

    def __init__(self, config: ScanConfig) -> None:
        self._config = config.fingerprint
        self._made: Fingerprinter | None = None

    @property
    def built(self) -> Fingerprinter:
        if self._made is None:
            self._made = Fingerprinter(self._config)
        return self._made

    def work_ahead(self) -> bool:
        if self._made is None:
            self._made = Fingerprinter(self._config)
            return True
        return self._made.work_ahead()

    def finish(self, prepared: PreparedBatch) -> pa.RecordBatch:
        return self.built.finish(prepared)


def _model_first_seen(events: pl.DataFrame) -> dict[str, str]:
    """Each model's first request in the scanned traffic (RFC 3339): when it went live, as seen here."""
    if "model" not in events.columns:
        return {}
    firsts = events.drop_nulls("model").group_by("model").agg(pl.col("ts").min()).sort("model")
    return {
        str(m): t.strftime("%Y-%m-%dT%H:%M:%SZ") for m, t in firsts.iter_rows() if isinstance(t, datetime)
    }


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None
