"""OpenTelemetry GenAI client spans in an OTLP/JSON trace export.

The file is either one ``ExportTraceServiceRequest`` document (possibly pretty-printed) or JSON lines of
them (what the Collector's file exporter writes). Every span with a GenAI inference operation
(``gen_ai.operation.name`` ``chat``, ``text_completion`` or ``generate_content``) becomes one event; other
spans in the export (HTTP, database, tool execution) are not requests to the model and are skipped.

Attributes read (semantic conventions for GenAI, HTTP, user and client):
``gen_ai.request.model``, ``gen_ai.request.{temperature,top_p,max_tokens,choice.count}``,
``gen_ai.input.messages`` and ``gen_ai.system_instructions`` (JSON strings or structured),
``gen_ai.tool.definitions``, ``gen_ai.output.type``, ``gen_ai.response.{id,finish_reasons}``,
``gen_ai.usage.{input,output}_tokens``, ``enduser.id`` or ``user.id`` (account, on the span or the
resource), ``client.address``, ``user_agent.original``, ``url.path``/``http.route``,
``http.response.status_code`` (else a numeric ``error.type``), ``http.request.header.x-request-id``.
Outside the conventions, as instrumentations commonly emit them: ``gen_ai.request.stream``,
``gen_ai.openai.request.response_format`` (deprecated convention), ``openai.request.logprobs``,
``openai.request.top_logprobs``, ``openai.request.reasoning_effort``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pyarrow as pa

from distillguard.ingest._base import Reader, Row, undecodable_reason
from distillguard.ingest._batch import BatchBuilder
from distillguard.ingest._openai import PART_SEPARATOR, Conversation, cap, tools_summary
from distillguard.ingest._quarantine import RAW_CAP_BYTES
from distillguard.ingest._record import RecordError, type_name, wrong_type
from distillguard.ingest._source import TruncatedTail, iter_chunks, iter_lines

INFERENCE_OPERATIONS = frozenset({"chat", "text_completion", "generate_content"})
_ACCOUNT_KEYS = ("enduser.id", "user.id")
_OUTPUT_TYPE_FORMAT = {"json": "json_object", "text": "text"}
_EXPECTED = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
# How many non-blank lines to try before deciding the file is one (pretty-printed) document.
_JSON_LINES_PROBE = 20


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
        return [any_value(item) for item in (value["arrayValue"] or {}).get("values") or []]
    if "kvlistValue" in value:
        return attributes((value["kvlistValue"] or {}).get("values"))
    return None


def attributes(items: object) -> dict[str, Any]:
    """An OTLP ``KeyValue`` list as a dict."""
    if items is None:
        return {}
    if type(items) is not list:
        raise wrong_type("attributes", "a list", items)
    out: dict[str, Any] = {}
    for item in items:
        if type(item) is dict and type(item.get("key")) is str:
            out[item["key"]] = any_value(item.get("value"))
    return out


def _structured(value: object, key: str) -> object:
    """Content attributes may be recorded as JSON strings or as structured values."""
    if type(value) is not str:
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise RecordError(f"broken JSON: in {key}: {exc}") from None


def _part_text(part: dict[str, Any]) -> str | None:
    kind = part.get("type")
    if kind == "text":
        content = part.get("content")
        if type(content) is not str:
            raise wrong_type("gen_ai.input.messages[].parts[].content", "a string", content)
        return content
    if kind == "tool_call_response":
        response = part.get("response", part.get("result"))
        if response is None or type(response) is str:
            return response
        return orjson.dumps(response).decode()
    return None


def _parts_text(parts: object, field: str) -> str:
    if type(parts) is not list:
        raise wrong_type(field, "a list of parts", parts)
    texts = []
    for part in parts:
        if type(part) is not dict:
            raise wrong_type(f"{field}[]", "an object", part)
        text = _part_text(part)
        if text is not None:
            texts.append(text)
    return PART_SEPARATOR.join(texts)


def conversation(messages: object, instructions: object) -> Conversation:
    """The same summary as for an OpenAI body, from parts-based GenAI messages."""
    messages = [] if messages is None else _structured(messages, "gen_ai.input.messages")
    if type(messages) is not list:
        raise wrong_type("gen_ai.input.messages", "a list", messages)
    system = []
    if instructions is not None:
        system.append(
            _parts_text(_structured(instructions, "gen_ai.system_instructions"), "gen_ai.system_instructions")
        )
    n_user = n_assistant = n_tool = chars = 0
    user_text: str | None = None
    for message in messages:
        if type(message) is not dict:
            raise wrong_type("gen_ai.input.messages[]", "an object", message)
        text = _parts_text(message.get("parts") or [], "gen_ai.input.messages[].parts")
        chars += len(text)
        role = message.get("role")
        if role == "user":
            n_user += 1
            user_text = text
        elif role == "assistant":
            n_assistant += 1
        elif role in ("system", "developer"):
            system.append(text)
        elif role == "tool":
            n_tool += 1
    if instructions is not None:
        chars += len(system[0])
    system_text = PART_SEPARATOR.join(system) if system else None
    return (
        len(messages) + (instructions is not None),
        n_user,
        n_assistant,
        n_tool,
        cap(system_text),
        cap(user_text),
        chars,
    )


def _typed(attrs: dict[str, Any], key: str, kind: type) -> Any:
    value = attrs.get(key)
    if value is None or type(value) is kind:
        return value
    if kind is float and type(value) is int:
        return float(value)
    raise wrong_type(key, _EXPECTED[kind], value)


def _status(attrs: dict[str, Any]) -> int | None:
    status = _typed(attrs, "http.response.status_code", int)
    if status is not None:
        return int(status)
    error = attrs.get("error.type")
    if type(error) is str and error.isdigit():
        return int(error)
    return None


def _unix_nano(span: dict[str, Any], key: str) -> int | None:
    value = span.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RecordError(f"unparseable time: {key} {str(value)[:80]!r}") from None


def span_row(span: dict[str, Any], resource: dict[str, Any]) -> Row | None:
    """One event row from a GenAI client span; None for spans that are not model inference calls."""
    attrs = attributes(span.get("attributes"))
    if attrs.get("gen_ai.operation.name") not in INFERENCE_OPERATIONS:
        return None
    account_id = next((v for k in _ACCOUNT_KEYS for v in (attrs.get(k), resource.get(k)) if v), None)
    if account_id is None:
        raise RecordError("missing field: account_id (enduser.id or user.id)")
    if type(account_id) is not str:
        raise wrong_type("enduser.id", "a string", account_id)
    start = _unix_nano(span, "startTimeUnixNano")
    if not start:
        raise RecordError("missing field: ts (startTimeUnixNano)")
    end = _unix_nano(span, "endTimeUnixNano")
    conv = conversation(attrs.get("gen_ai.input.messages"), attrs.get("gen_ai.system_instructions"))
    tools = attrs.get("gen_ai.tool.definitions")
    n_tools, tools_text = tools_summary(
        None if tools is None else _structured(tools, "gen_ai.tool.definitions"), "gen_ai.tool.definitions"
    )
    finish = attrs.get("gen_ai.response.finish_reasons")
    request_ids = attrs.get("http.request.header.x-request-id")
    request_id = (
        request_ids[0] if type(request_ids) is list and request_ids else attrs.get("gen_ai.response.id")
    )
    response_format = attrs.get("gen_ai.openai.request.response_format")
    if response_format is None:
        response_format = _OUTPUT_TYPE_FORMAT.get(attrs.get("gen_ai.output.type"))  # type: ignore[arg-type]
    return (
        start // 1000,
        account_id,
        request_id,
        None,
        _typed(attrs, "client.address", str),
        _typed(attrs, "user_agent.original", str),
        None,
        None,
        _typed(attrs, "url.path", str) or _typed(attrs, "http.route", str),
        _typed(attrs, "gen_ai.request.model", str),
        conv[0],
        conv[1],
        conv[2],
        conv[3],
        n_tools,
        conv[4],
        conv[5],
        tools_text,
        conv[6],
        _typed(attrs, "gen_ai.request.temperature", float),
        _typed(attrs, "gen_ai.request.top_p", float),
        _typed(attrs, "gen_ai.request.max_tokens", int),
        _typed(attrs, "openai.request.logprobs", bool),
        _typed(attrs, "openai.request.top_logprobs", int),
        _typed(attrs, "gen_ai.request.choice.count", int),
        _typed(attrs, "openai.request.reasoning_effort", str),
        _typed(attrs, "gen_ai.request.stream", bool),
        response_format,
        finish[0] if type(finish) is list and finish else None,
        _typed(attrs, "gen_ai.usage.input_tokens", int),
        _typed(attrs, "gen_ai.usage.output_tokens", int),
        _status(attrs),
        None if end is None else round((end - start) / 1_000_000),
    )


class OtelReader(Reader):
    name = "otel"

    @classmethod
    def sniff(cls, obj: dict[str, Any]) -> bool:
        return "resourceSpans" in obj

    def batches(self) -> Iterator[pa.RecordBatch]:
        builder = BatchBuilder(self.source, self.quarantine, self.batch_rows)
        for number, request in self._requests():
            for row in self._rows(number, request):
                yield from builder.add(row, number, None)
        yield from builder.flush()

    def _requests(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Export requests with their line numbers: per line for JSON lines, else the one document."""
        if self._is_json_lines():
            yield from self._line_requests()
            return
        data = bytearray()
        for chunk in iter_chunks(self.path):
            if isinstance(chunk, TruncatedTail):
                data += chunk.data
                self.quarantine.add(
                    self.source, 1, f"{chunk.reason} (the whole OTLP/JSON document)", bytes(data)
                )
                return
            data += chunk
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            reason = undecodable_reason(bytes(data[:RAW_CAP_BYTES]), exc)
            self.quarantine.add(self.source, 1, f"{reason} (the whole OTLP/JSON document)", bytes(data))
            return
        if type(document) is not dict:
            self.quarantine.add(self.source, 1, f"not a JSON object: got {type_name(document)}", bytes(data))
            return
        yield 1, document

    def _is_json_lines(self) -> bool:
        """JSON lines if one of the first non-blank lines is a complete JSON object on its own; a
        pretty-printed document's lines never are."""
        lines = iter_lines(self.path)
        tried = 0
        try:
            for _, line, problem in lines:
                if problem is not None or not line.strip():
                    continue
                try:
                    if type(orjson.loads(line)) is dict:
                        return True
                except orjson.JSONDecodeError:
                    pass
                tried += 1
                if tried >= _JSON_LINES_PROBE:
                    break
        finally:
            lines.close()
        return False

    def _line_requests(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, line, problem in iter_lines(self.path):
            if problem is not None:
                self.quarantine.add(self.source, number, problem, line)
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if line.strip():
                    self.quarantine.add(self.source, number, undecodable_reason(line, exc), line)
                continue
            if type(obj) is not dict:
                self.quarantine.add(self.source, number, f"not a JSON object: got {type_name(obj)}", line)
                continue
            yield number, obj

    def _rows(self, number: int, request: dict[str, Any]) -> Iterator[Row]:
        resource_spans = request.get("resourceSpans")
        if type(resource_spans) is not list:
            self.quarantine.add(self.source, number, "missing field: resourceSpans", orjson.dumps(request))
            return
        for r, resource_span in enumerate(resource_spans):
            if type(resource_span) is not dict:
                continue
            resource = attributes((resource_span.get("resource") or {}).get("attributes"))
            for s, scope_span in enumerate(resource_span.get("scopeSpans") or []):
                for i, span in enumerate((scope_span or {}).get("spans") or []):
                    where = f"resourceSpans[{r}].scopeSpans[{s}].spans[{i}]"
                    try:
                        if type(span) is not dict:
                            raise RecordError(f"not a JSON object: {where} is {type_name(span)}")
                        row = span_row(span, resource)
                    except RecordError as exc:
                        self.quarantine.add(
                            self.source, number, f"{exc.reason} (at {where})", orjson.dumps(span)
                        )
                        continue
                    if row is not None:
                        yield row
