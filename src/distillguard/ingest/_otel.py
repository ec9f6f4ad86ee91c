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
resource), ``enduser.pseudo.id`` (the end user behind the account, kept as a pseudonym),
``client.address``, ``user_agent.original``, ``url.path``/``http.route``,
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

from distillguard.ingest._base import UNEXPECTED, Reader, Row, undecodable_reason, unexpected_reason
from distillguard.ingest._batch import BatchBuilder
from distillguard.ingest._genai import conversation, structured
from distillguard.ingest._openai import conversation_columns, tools_summary
from distillguard.ingest._otlp import attributes
from distillguard.ingest._quarantine import RAW_CAP_BYTES
from distillguard.ingest._record import RecordError, end_user_pseudonym, type_name, wrong_type
from distillguard.ingest._source import TruncatedTail, iter_chunks, iter_lines

INFERENCE_OPERATIONS = frozenset({"chat", "text_completion", "generate_content"})
_ACCOUNT_KEYS = ("enduser.id", "user.id")
_OUTPUT_TYPE_FORMAT = {"json": "json_object", "text": "text"}
_EXPECTED = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
# How many non-blank lines to try before deciding the file is one (pretty-printed) document.
_JSON_LINES_PROBE = 20


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
    operation = attrs.get("gen_ai.operation.name")
    if type(operation) is not str or operation not in INFERENCE_OPERATIONS:
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
        None if tools is None else structured(tools, "gen_ai.tool.definitions"), "gen_ai.tool.definitions"
    )
    finish = attrs.get("gen_ai.response.finish_reasons")
    request_ids = attrs.get("http.request.header.x-request-id")
    request_id = (
        request_ids[0] if type(request_ids) is list and request_ids else attrs.get("gen_ai.response.id")
    )
    response_format = attrs.get("gen_ai.openai.request.response_format")
    if response_format is None:
        response_format = _OUTPUT_TYPE_FORMAT.get(str(attrs.get("gen_ai.output.type")))
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
        *conversation_columns(conv, n_tools, tools_text),
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
        _end_user(attrs),
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
                if builder.add(row, number, None):
                    yield from builder.flush()
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
        """Rows of one export request; a malformed resource or scope is quarantined as one record."""
        resource_spans = request.get("resourceSpans")
        if type(resource_spans) is not list:
            reason = "missing field: resourceSpans" if resource_spans is None else "wrong type: resourceSpans"
            self.quarantine.add(self.source, number, reason, orjson.dumps(request))
            return
        for r, resource_span in enumerate(resource_spans):
            where = f"resourceSpans[{r}]"
            try:
                resource, scope_spans = _resource_span(resource_span, where)
            except RecordError as exc:
                self._quarantine(number, exc.reason, where, resource_span)
                continue
            for s, scope_span in enumerate(scope_spans):
                scope_where = f"{where}.scopeSpans[{s}]"
                spans = scope_span.get("spans") if type(scope_span) is dict else scope_span
                if type(spans) is not list:
                    if spans is not None:
                        self._quarantine(number, "wrong type: spans must be a list", scope_where, scope_span)
                    continue
                for i, span in enumerate(spans):
                    span_where = f"{scope_where}.spans[{i}]"
                    try:
                        if type(span) is not dict:
                            raise RecordError(f"not a JSON object: got {type_name(span)}")
                        row = span_row(span, resource)
                    except RecordError as exc:
                        self._quarantine(number, exc.reason, span_where, span)
                        continue
                    except UNEXPECTED as exc:
                        self._quarantine(number, unexpected_reason(exc), span_where, span)
                        continue
                    if row is not None:
                        yield row

    def _quarantine(self, number: int, reason: str, where: str, part: object) -> None:
        self.quarantine.add(self.source, number, f"{reason} (at {where})", orjson.dumps(part, default=str))


def _resource_span(resource_span: object, where: str) -> tuple[dict[str, Any], list[Any]]:
    """The resource attributes and the scope spans of one ``ResourceSpans``."""
    if type(resource_span) is not dict:
        raise RecordError(f"not a JSON object: got {type_name(resource_span)}")
    resource = resource_span.get("resource") or {}
    if type(resource) is not dict:
        raise wrong_type("resource", "an object", resource)
    scope_spans = resource_span.get("scopeSpans") or []
    if type(scope_spans) is not list:
        raise wrong_type("scopeSpans", "a list", scope_spans)
    return attributes(resource.get("attributes")), scope_spans


def _end_user(attrs: dict[str, Any]) -> str | None:
    """``enduser.pseudo.id``: the pseudonymous end user behind the account (``enduser.id`` and ``user.id``
    already name the account here, the billing party as the provider sees it)."""
    return end_user_pseudonym(attrs.get("enduser.pseudo.id"), "enduser.pseudo.id")
