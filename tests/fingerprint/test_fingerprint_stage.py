"""The fingerprint stage end to end on event batches."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest
from fp_events import EventFactory

from distillguard.errors import ConfigError, SchemaMismatchError
from distillguard.fingerprint import FINGERPRINT_SCHEMA, FingerprintConfig, Fingerprinter, default_classifier
from distillguard.fingerprint._fingerprinter import _LabelMemo
from distillguard.fingerprint.schema import CAPABILITIES, LABELS
from distillguard.ingest.schema import TEXT_COLUMNS


def frame(batch: pa.RecordBatch) -> pl.DataFrame:
    result = pl.from_arrow(batch)
    assert isinstance(result, pl.DataFrame)
    return result


def test_output_conforms_exactly_and_has_no_text(make_events: EventFactory) -> None:
    batch = make_events(["hello", "Solve 2+2 step by step", None], system_texts=["Be nice", None, "sys"])
    out = Fingerprinter().fingerprint(batch)
    assert out.schema.equals(FINGERPRINT_SCHEMA)
    for column in TEXT_COLUMNS:
        assert column not in out.schema.names
    assert not any(pa.types.is_string(f.type) and f.name.endswith("_text") for f in out.schema)
    assert out.column("account_id").equals(batch.column("account_id"))
    assert "request_id" not in out.schema.names and "endpoint" not in out.schema.names
    assert out.column("ts").equals(batch.column("ts"))


def test_golden_template_and_payload_hashes(make_events: EventFactory) -> None:
    # Shared with peer providers: a change here changes every template id. Change it deliberately only.
    text = 'Translate "good morning" into French, please. Ticket 4471.'
    out = frame(Fingerprinter().fingerprint(make_events([text])))
    assert out["template_hash"][0] == 4549913243205557869
    assert out["payload_hash"][0] == 3268559113125577345
    assert out["payload_words"][0].to_list() == [165337219, 410431623, 1824232837, 2170412607]


def test_deterministic_across_fingerprinters(make_events: EventFactory) -> None:
    texts = [f"Question {i}: what is {i} * {i + 1}? Show your full reasoning." for i in range(50)]
    texts += ["Write a poem about the sea.", "Generate 30 diverse customer complaints."] * 5
    first = Fingerprinter().fingerprint(make_events(texts))
    second = Fingerprinter().fingerprint(make_events(texts))
    assert first.equals(second)


def test_template_variants_share_template_but_not_payload(make_events: EventFactory) -> None:
    batch = make_events(["Compute 17 + 25 step by step.", "Compute 3 + 99 step by step."])
    out = frame(Fingerprinter().fingerprint(batch))
    assert out["template_hash"].n_unique() == 1
    assert out["payload_hash"].n_unique() == 2


def test_absent_texts_give_nulls_and_zero_lengths(make_events: EventFactory) -> None:
    out = frame(Fingerprinter().fingerprint(make_events([None, "hi"], system_texts=[None, "You are terse."])))
    first, second = out.row(0, named=True), out.row(1, named=True)
    assert first["template_hash"] is None and first["payload_hash"] is None and first["system_hash"] is None
    assert first["tools_hash"] is None and first["user_chars"] == 0 and first["payload_words"] == []
    assert second["system_hash"] is not None and second["system_chars"] == len("You are terse.")
    assert second["user_chars"] == 2


def test_labels_are_probabilities_and_capability_is_known(make_events: EventFactory) -> None:
    out = frame(Fingerprinter().fingerprint(make_events(["Fix this bug: `x = [1,2][5]`", "hello", ""])))
    for label in LABELS:
        values = out[f"p_{label}"]
        assert values.null_count() == 0 and values.min() >= 0.0 and values.max() <= 1.0  # type: ignore[operator]
    assert set(out["capability"].to_list()) <= set(CAPABILITIES)


def test_tools_make_a_request_agentic(make_events: EventFactory) -> None:
    tools = '[{"type":"function","function":{"name":"search"}}]'
    batch = make_events(["find flights to Oslo", "find flights to Oslo"], tools_texts=[tools, None])
    out = frame(Fingerprinter().fingerprint(batch))
    assert out["capability"][0] == "agentic"
    assert out["tools_hash"][0] is not None and out["tools_hash"][1] is None


def test_payload_words_are_bounded_distinct_and_sorted(make_events: EventFactory) -> None:
    text = " ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}xyz" for i in range(500))
    words = frame(Fingerprinter().fingerprint(make_events([text])))["payload_words"][0].to_list()
    assert len(words) == 32 and words == sorted(set(words))


def test_huge_text_is_capped_and_handled(make_events: EventFactory) -> None:
    huge = "Please think step by step. " + "lorem ipsum dolor sit amet " * 200_000  # ~5.4 MB
    fingerprinter = Fingerprinter()
    out = frame(fingerprinter.fingerprint(make_events([huge, huge[:-10]])))
    assert out["user_chars"][0] == len(huge)
    assert out["payload_hash"].n_unique() == 2
    # Masking looks at the first skeleton_chars only, so both share one template.
    assert out["template_hash"].n_unique() == 1
    [template] = list(fingerprinter.catalog)
    assert len(fingerprinter.catalog.preview(template)) <= fingerprinter.config.preview_chars


def test_batch_outside_the_event_schema_is_refused(make_events: EventFactory) -> None:
    batch = make_events(["hi"]).drop_columns(["user_text"])
    with pytest.raises(SchemaMismatchError, match="canonical event schema"):
        Fingerprinter().fingerprint(batch)


def test_config_from_dict_checks_names_and_values() -> None:
    assert FingerprintConfig.from_dict({"num_perm": 32}).num_perm == 32
    with pytest.raises(ConfigError, match="unknown fingerprint setting 'num_perms'"):
        FingerprintConfig.from_dict({"num_perms": 32})
    with pytest.raises(ConfigError, match="must be positive"):
        FingerprintConfig(max_templates=0)


def test_empty_batch(make_events: EventFactory) -> None:
    out = Fingerprinter().fingerprint(make_events([]))
    assert out.num_rows == 0 and out.schema.equals(FINGERPRINT_SCHEMA)


def test_small_classifier_memo_gives_the_same_labels_across_batches(make_events: EventFactory) -> None:
    # A memo smaller than the templates of one batch is refilled, never loses a label it has to return.
    texts = [
        "Solve this step by step and show your reasoning.",
        "Write a poem about the sea.",
        "Generate 30 diverse customer complaints.",
    ]
    systems = ["You grade answers from 1 to 10.", None, "Be terse."]
    reference = frame(Fingerprinter().fingerprint(make_events(texts, system_texts=systems)))
    small = Fingerprinter(FingerprintConfig(classifier_cache_size=2))
    for order in ([0], [0, 1, 2], [2, 1], [1, 0, 2]):
        batch = make_events([texts[i] for i in order], system_texts=[systems[i] for i in order])
        out = frame(small.fingerprint(batch))
        expected = reference[order]
        for label in LABELS:
            assert out[f"p_{label}"].to_list() == expected[f"p_{label}"].to_list()
        assert out["capability"].to_list() == expected["capability"].to_list()


def test_large_string_text_is_accepted(make_events: EventFactory) -> None:
    batch = make_events(["Solve 2 + 2 step by step."])
    index = batch.schema.get_field_index("user_text")
    widened = batch.set_column(
        index, pa.field("user_text", pa.large_string()), batch.column(index).cast(pa.large_string())
    )
    expected = Fingerprinter().fingerprint(batch)
    assert Fingerprinter().fingerprint(widened).equals(expected)


def test_label_memo_returns_each_keys_labels_in_order_and_classifies_each_once() -> None:
    texts = [
        "Solve this step by step and show your reasoning.",
        "Write a poem about the sea.",
        "Generate 30 diverse customer complaints.",
        "Rate the answer below from 1 to 10 and return JSON.",
        "Translate this sentence into German.",
    ]
    classifier = default_classifier()
    direct, capability = classifier.predict(pl.Series(texts))
    classified: list[int] = []

    def counting(values: pl.Series) -> pl.Series:
        classified.append(len(values))
        return values

    memo = _LabelMemo(capacity=3)
    sizes = []
    for order in ([4, 0, 4, 2], [2, 0], [1, 3, 0], [3, 4, 1, 2, 0], [0]):
        keys = pl.Series([1000 + i for i in order], dtype=pl.UInt64)
        labels = memo.lookup(keys, pl.Series([texts[i] for i in order]), classifier, counting)
        assert labels["key"].to_list() == keys.to_list()
        for column, label in enumerate(LABELS):
            assert labels[f"p_{label}"].to_list() == direct[order, column].tolist()
        assert labels["capability_index"].to_list() == capability[order].tolist()
        sizes.append(len(memo))
    # Unseen keys only, each once per batch (4 twice in the first); a full memo keeps the batch's known ones.
    assert classified == [3, 2, 2]
    assert sizes == [3, 3, 3, 5, 5]


def test_tools_hash_is_the_xxh64_of_each_events_tool_definitions(make_events: EventFactory) -> None:
    from distillguard.fingerprint._hashing import xxh64

    tools = ['[{"name":"search"}]', None, '[{"name":"search"}]', '[{"name":"book","x":"ÿ"}]', None]
    batch = make_events(["a", "b", "c", "d", "e"], tools_texts=tools)
    hashes = frame(Fingerprinter().fingerprint(batch))["tools_hash"].to_list()
    assert hashes == [None if text is None else xxh64(text) for text in tools]
