"""Decoding OTLP/JSON: ``AnyValue`` and ``KeyValue`` lists as plain Python values.

In OTLP/JSON, 64-bit integers are strings, arrays and key-value lists are wrapped objects, and every
attribute is a ``{"key": ..., "value": {"stringValue" | "intValue" | ...: ...}}`` object.
"""

from __future__ import annotations

from typing import Any

from distillguard.ingest._record import wrong_type


def any_value(value: object) -> object:
    """An OTLP/JSON ``AnyValue`` as a Python value (64-bit ints arrive as strings in OTLP/JSON)."""
    if type(value) is not dict:
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        raw = value["intValue"]
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise wrong_type("intValue", "an integer", raw) from None
    if "doubleValue" in value:
        return value["doubleValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "arrayValue" in value:
        return [any_value(item) for item in _values(value["arrayValue"], "arrayValue")]
    if "kvlistValue" in value:
        return attributes(_values(value["kvlistValue"], "kvlistValue"))
    return None


def _values(container: object, kind: str) -> list[Any]:
    """The ``values`` list of an ``arrayValue`` or ``kvlistValue`` (absent or empty when empty)."""
    if not container:
        return []
    values = container.get("values") if type(container) is dict else container
    if not values:
        return []
    if type(values) is not list:
        raise wrong_type(f"{kind}.values", "a list", values)
    return values


def attributes(items: object) -> dict[str, Any]:
    """An OTLP ``KeyValue`` list as a dict.

    Spans carry dozens of attributes, so the common shape (a list of ``{key, value}`` with a
    ``stringValue``) is converted with subscripts only; anything else takes the checked path.
    """
    if items is None:
        return {}
    out: dict[str, Any] = {}
    try:
        for item in items:  # type: ignore[attr-defined]
            value = item["value"]
            if "stringValue" in value:
                out[item["key"]] = value["stringValue"]
            else:
                out[item["key"]] = any_value(value)
    except (TypeError, KeyError):
        return _checked_attributes(items)
    return out


def _checked_attributes(items: object) -> dict[str, Any]:
    if type(items) is not list:
        raise wrong_type("attributes", "a list", items)
    out: dict[str, Any] = {}
    for item in items:
        if type(item) is not dict or type(item.get("key")) is not str:
            raise wrong_type("attributes[]", "a {key, value} object", item)
        out[item["key"]] = any_value(item.get("value"))
    return out
