"""Reading and writing the JSON files the share commands exchange."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from distillguard.errors import ShareError


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ShareError(f"{what} not found", path=str(path)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ShareError(f"{what} is not JSON: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ShareError(f"{what} must be a JSON object", path=str(path))
    return data


def read_bundle(path: Path) -> dict[str, Any]:
    bundle = read_json(path, "STIX bundle")
    if bundle.get("type") != "bundle" or not isinstance(bundle.get("objects", []), list):
        raise ShareError("not a STIX bundle (type 'bundle' with an 'objects' list)", path=str(path))
    return bundle


def write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)
