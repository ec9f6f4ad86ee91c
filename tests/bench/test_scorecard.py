"""Scoring a scan against ground truth: the numbers the benchmark and the demo report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from distillguard.bench import read_labels, score_accounts
from distillguard.detect.types import AccountVerdict
from distillguard.errors import InputFormatError

T = datetime(2026, 3, 2, tzinfo=UTC)
LABELS = b"""\
{"account_id": "h1", "population": "hydra", "malicious": true, "campaign_id": "op-h"}
{"account_id": "h2", "population": "hydra", "malicious": true, "campaign_id": "op-h"}
{"account_id": "s1", "population": "slow", "malicious": true, "campaign_id": "op-s"}
{"account_id": "r1", "population": "enterprise_rag", "malicious": false, "campaign_id": null}
{"account_id": "d1", "population": "indie_dev", "malicious": false, "campaign_id": null}
{"account_id": "d2", "population": "indie_dev", "malicious": false, "campaign_id": null}

"""


def _verdict(account: str, flagged: bool) -> AccountVerdict:
    return AccountVerdict(account, 0.9 if flagged else 0.1, flagged, None, 10, T, T)


def test_scorecard_counts(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_bytes(LABELS)
    labels = read_labels(path)
    verdicts = [
        _verdict("h1", True),
        _verdict("h2", True),
        _verdict("s1", False),
        _verdict("r1", True),
        _verdict("d1", False),
        _verdict("unlabelled", True),
    ]
    card = score_accounts(verdicts, labels)
    assert (card.true_positives, card.false_positives, card.false_negatives) == (2, 1, 1)
    assert card.precision == pytest.approx(2 / 3)
    assert card.recall == pytest.approx(2 / 3)
    assert card.false_positive_rate == pytest.approx(1 / 3)
    assert (card.campaigns_found, card.campaigns_total) == (1, 2)
    # The RAG tenant is a hard negative; the individual developers are the background.
    assert (card.hard_negative_flagged, card.hard_negative_accounts) == (1, 1)


def test_holdout_labels_say_which_accounts_are_hard_negatives(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_bytes(
        b'{"account_id": "c1", "population": "classroom", "malicious": false, "campaign_id": null,'
        b' "hard_negative": true}\n'
    )
    assert read_labels(path)["c1"].hard_negative


def test_bad_label_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_bytes(LABELS + b'{"account_id": "x"}\n')
    with pytest.raises(InputFormatError) as excinfo:
        read_labels(path)
    assert excinfo.value.context["line"] == 8
