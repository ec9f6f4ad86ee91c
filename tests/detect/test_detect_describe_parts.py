"""Campaign descriptions computed for all campaigns at once equal the per-campaign plain definitions
(``indicators``, ``shared_template_evidence``, and the capability shares)."""

from __future__ import annotations

import zlib

import polars as pl
import pytest
from detect_fixtures import population

from distillguard.detect._campaign import indicators, shared_template_evidence
from distillguard.detect._describe import capabilities_by_part, indicators_by_part, shared_template_by_part
from distillguard.features._network import prefix_column


class _Catalog:
    """A catalog that knows the previews of even template hashes only."""

    def clusters(self, threshold: float = 0.7) -> dict[int, int]:
        return {}

    def preview(self, template_hash: int) -> str:
        if template_hash % 2:
            raise KeyError(template_hash)
        return f"skeleton {template_hash}"


def _labelled(seed: int) -> tuple[pl.DataFrame, dict[str, list[str]]]:
    """Events of a population, each account in one of a few parts (groups of 1 to 40 accounts), some
    template clusters, capabilities, models and IPs nulled so that the null handling is exercised."""
    events = population(seed=seed, hydra_accounts=50)
    events = events.with_columns(
        (pl.col("template_hash") // 3).alias("template_cluster"),
        prefix_column(events).alias("ip_prefix"),
        pl.when(pl.int_range(pl.len()) % 9 == 0)
        .then(None)
        .otherwise(pl.col("capability"))
        .alias("capability"),
        pl.when(pl.int_range(pl.len()) % 13 == 0).then(None).otherwise(pl.col("model")).alias("model"),
        pl.when(pl.int_range(pl.len()) % 17 == 0).then(None).otherwise(pl.col("ip")).alias("ip"),
    )
    # Parts of 1 to 40 accounts of every kind (developers, products, a harvester, NAT neighbours), and the
    # hydra's accounts split in two parts (they share templates: the shared-template evidence).
    accounts = sorted(set(events["account_id"].to_list()), key=lambda a: (zlib.crc32(a.encode()), a))
    hydra = [a for a in accounts if a.startswith("hy_")]
    others = [a for a in accounts if not a.startswith("hy_")]
    parts: dict[str, list[str]] = {min(hydra[:30]): sorted(hydra[:30]), min(hydra[30:]): sorted(hydra[30:])}
    start, size = 0, 1
    while len(parts) < 12:
        members = sorted(others[start : start + size])
        parts[members[0]] = members
        start += size
        size = size * 3 % 41 or 1
    part_of = {m: part for part, members in parts.items() for m in members}
    labelled = events.filter(pl.col("account_id").is_in(list(part_of))).with_columns(
        pl.col("account_id").replace_strict(part_of).alias("_part")
    )
    return labelled, parts


def _plain_capabilities(events: pl.DataFrame, share: float) -> tuple[str, ...]:
    known = [c for c in events["capability"].to_list() if c is not None]
    counts = {c: known.count(c) / len(known) for c in set(known)}
    kept = [c for c, s in counts.items() if s >= share]
    return tuple(sorted(kept, key=lambda c: (-counts[c], c)))


@pytest.mark.parametrize("seed", [3, 4])
def test_descriptions_by_part_equal_each_campaigns_own(seed: int) -> None:
    labelled, parts = _labelled(seed)
    catalog = _Catalog()
    described = indicators_by_part(labelled, [*parts, "nobody"], catalog)
    capabilities = capabilities_by_part(labelled, 0.1)
    shared = shared_template_by_part(labelled)
    assert len(parts) >= 8 and any(len(m) > 10 for m in parts.values())
    for part, members in parts.items():
        mine = labelled.filter(pl.col("_part") == part).drop("_part")
        assert described[part] == indicators(mine, members, catalog), part
        assert list(described[part]) == list(indicators(mine, members, catalog)), part
        assert capabilities.get(part, ()) == _plain_capabilities(mine, 0.1), part
        assert shared.get(part) == shared_template_evidence(mine, members), part
    assert described["nobody"] == indicators(labelled.clear().drop("_part"), [], catalog)
    assert any(shared.values()) and any(described[p]["templates"] for p in parts)
