"""``distillguard convert`` end to end."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow.parquet as pq
from ingest_helpers import SAMPLES
from typer.testing import CliRunner

from distillguard.cli import app


def test_convert_any_format_to_canonical_parquet(tmp_path: Path) -> None:
    source = tmp_path / "proxy.log"
    source.write_bytes((SAMPLES / "litellm.jsonl").read_bytes() + b"{oops\n")
    out = tmp_path / "events.parquet"
    result = CliRunner().invoke(app, ["convert", str(source), str(SAMPLES / "otel.jsonl"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == 40
    assert sorted(set(table.column("account_id").to_pylist()))[:2] == ["acct_1mg9", "acct_5e1f"]
    quarantined = [
        orjson.loads(line) for line in (tmp_path / "events.quarantine.jsonl").read_bytes().splitlines()
    ]
    assert [(q["line"], q["reason"].split(":")[0]) for q in quarantined] == [(21, "broken JSON")]
    assert "quarantined 1" in result.output
