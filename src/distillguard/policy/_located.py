"""YAML loading that remembers where every value came from, so validation errors can name the line.

PyYAML's ``safe_load`` throws the node marks away; composing the node graph ourselves keeps them. The
result is plain Python data plus a map from a value's path (``("rules", 2, "action")``) to its 1-based
line, which the validators look up when they reject something.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from distillguard.errors import DistillguardError, PolicyError

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """Plain data from a YAML document with the line of every mapping key, sequence item and value."""

    data: Any
    source: str
    lines: dict[PathKey, int] = field(default_factory=dict)
    error_type: type[DistillguardError] = PolicyError

    def line(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def error(self, message: str, path: PathKey) -> DistillguardError:
        """An error naming the file, the line and (for the reader) the dotted path."""
        dotted = ".".join(str(part) for part in path) or None
        return self.error_type(message, path=self.source, line=self.line(path), field=dotted)


def load_located(text: str, source: str, error_type: type[DistillguardError] = PolicyError) -> Located:
    """Parse one YAML document keeping line numbers; a syntax error names its line too."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise error_type(f"not valid YAML: {exc.problem}", path=source, line=line) from exc
    lines: dict[PathKey, int] = {}
    constructor = yaml.constructor.SafeConstructor()
    data = None if node is None else _to_python(node, (), lines, source, constructor, error_type)
    return Located(data=data, source=source, lines=lines, error_type=error_type)


def load_located_file(path: Path, error_type: type[DistillguardError] = PolicyError) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error_type(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    return load_located(text, str(path), error_type)


def _to_python(
    node: yaml.Node,
    path: PathKey,
    lines: dict[PathKey, int],
    source: str,
    constructor: yaml.constructor.SafeConstructor,
    error_type: type[DistillguardError],
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise error_type("mapping keys must be plain values", path=source, line=lines[path])
            name = str(key)
            if name in result:
                raise error_type(f"duplicate key '{name}'", path=source, line=key_node.start_mark.line + 1)
            result[name] = _to_python(value_node, (*path, name), lines, source, constructor, error_type)
            # A key's own line is more useful than its value's when the value spans several lines.
            lines[(*path, name)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, (*path, index), lines, source, constructor, error_type)
            for index, item in enumerate(node.value)
        ]
    # Scalars resolve exactly as safe_load would resolve them (ints, floats, bools, null, timestamps).
    return constructor.construct_object(node, deep=True)
