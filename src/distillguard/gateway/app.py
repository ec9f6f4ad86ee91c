"""The gateway: an OpenAI-compatible reverse proxy that records every request and enforces decisions.

Request path, in order: bearer key -> account (dict look-up; unknown key 401), the account's decision in
force (dict look-up; 403 / 429 in the OpenAI error envelope), forward to the upstream through one shared
``httpx.AsyncClient``, record the canonical event. Detection never runs on this path.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from distillguard.errors import ConfigError
from distillguard.gateway._probe import Probe
from distillguard.gateway._runtime import tune_for_latency
from distillguard.gateway._sse import StreamSummary
from distillguard.gateway._transport import LeanTransport, PreparedPost
from distillguard.gateway.detection import Clock, Detector, utc_now
from distillguard.gateway.enforcement import UNKNOWN_KEY, Rejection
from distillguard.gateway.events import response_summary, rfc3339
from distillguard.gateway.guard import Guard, GuardConfig
from distillguard.gateway.keys import KeyTable, key_id
from distillguard.gateway.metrics import CONTENT_TYPE
from distillguard.gateway.mock_upstream import create_mock_upstream
from distillguard.policy.model import Policy

log = logging.getLogger("distillguard.gateway")

MOCK = "mock"
CHAT_PATH = "/v1/chat/completions"
_JSON = "application/json"


@dataclass
class GatewayConfig:
    keys: KeyTable
    state_dir: Path
    policy: Policy
    policy_path: Path | None = None
    upstream: str = MOCK  # an OpenAI-compatible base URL ending in /v1, or "mock"
    upstream_api_key: str | None = None
    upstream_transport: str = "lean"  # "lean" (keep-alive sockets, C parser) or "httpx" (httpx's own)
    detect_every: float = 30.0
    window_events: int = 200_000
    window_hours: float = 24.0
    account_created: Mapping[str, datetime] = field(default_factory=dict)
    # Record event-loop lag, request phases, GC pauses and cycles for GET /distillguard/probe (benchmarks).
    probe: bool = False
    # When the server starts: freeze the start-up heap out of the garbage collector's sight and shorten
    # the GIL switch interval (process-wide settings; see _runtime).
    tune_runtime: bool = True


class _Reply(Protocol):
    """An upstream response as the chat path reads it: an ``httpx.Response`` or a lean ``LeanReply``."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    async def aread(self) -> bytes: ...
    def aiter_raw(self) -> AsyncIterator[bytes]: ...
    async def aclose(self) -> None: ...


def _error(rejection: Rejection) -> Response:
    headers = {"retry-after": str(rejection.retry_after)} if rejection.retry_after is not None else None
    return Response(orjson.dumps(rejection.body()), rejection.status, headers=headers, media_type=_JSON)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def upstream_transport(upstream: str, kind: str = "lean") -> httpx.AsyncBaseTransport | None:
    """The in-process transport to the mock upstream; for a URL, the lean HTTP/1.1 transport (or None:
    httpx's own, with HTTP proxies and the like, when ``kind`` is "httpx")."""
    if upstream == MOCK:
        return httpx.ASGITransport(app=create_mock_upstream())
    if kind == "httpx":
        return None
    if kind != "lean":
        raise ConfigError(f"unknown upstream transport '{kind}' (use lean or httpx)")
    return LeanTransport()


class _Front:
    """The gateway's ASGI app: the chat path straight to its handler; the rest (and lifespan) through
    Starlette. Starlette's middleware and routing cost a fifth of the gateway's CPU per request, and the
    chat path needs neither: it is one method on one path, and it answers its own errors."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == CHAT_PATH and scope["method"] == "POST":
            await self.gateway.chat_asgi(scope, receive, send)
        else:
            await self.gateway.routes(scope, receive, send)


class Gateway:
    """Owns the ASGI app and everything it needs; ``app`` starts and stops detection with the server."""

    def __init__(
        self,
        config: GatewayConfig,
        detector: Detector,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.config = config
        self.clock = clock
        created = {**config.account_created, **config.keys.account_created}
        self.guard = Guard(
            GuardConfig(
                state_dir=config.state_dir,
                policy=config.policy,
                policy_path=config.policy_path,
                detect_every=config.detect_every,
                window_events=config.window_events,
                window_hours=config.window_hours,
                account_created=created,
            ),
            detector,
            clock,
        )
        # Short names for what tests and the CLI reach for.
        self.metrics, self.recorder, self.store = self.guard.metrics, self.guard.recorder, self.guard.store
        self.policy, self.loop = self.guard.policy, self.guard.loop
        self._created_iso = {account: rfc3339(moment) for account, moment in created.items()}
        self._key_ids = {key: key_id(key) for key in config.keys.accounts_by_key}
        self._transport = (
            transport
            if transport is not None
            else upstream_transport(config.upstream, config.upstream_transport)
        )
        # identity: bodies and SSE streams are relayed byte for byte, so they must not arrive compressed.
        self._upstream_headers = {"content-type": _JSON, "accept-encoding": "identity"}
        if config.upstream_api_key:
            self._upstream_headers["authorization"] = f"Bearer {config.upstream_api_key}"
        self.client: httpx.AsyncClient | None = None
        self._request_prefix, self._request_count = uuid.uuid4().hex[:16], 0
        self.probe = Probe() if config.probe else None
        if self.probe is not None:
            self.loop.observer = self.probe.background
        base = "http://mock/v1" if config.upstream == MOCK else config.upstream.rstrip("/")
        self._base_url = base
        self._chat_url = httpx.URL(f"{base}/chat/completions")
        # With the lean transport the chat path skips httpx's request and response objects (half the
        # gateway's CPU per request): the request head is encoded once here.
        self._lean_post = (
            PreparedPost(self._chat_url, {**self._upstream_headers, "user-agent": "distillguard-gateway"})
            if isinstance(self._transport, LeanTransport)
            else None
        )
        self.routes = Starlette(
            routes=[
                Route(CHAT_PATH, self.chat_completions, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
                Route("/metrics", self.metrics_endpoint, methods=["GET"]),
                Route("/distillguard/status", self.status, methods=["GET"]),
                Route("/distillguard/probe", self.probe_endpoint, methods=["GET", "DELETE"]),
            ],
            lifespan=self._lifespan,
        )
        self.app: ASGIApp = _Front(self)

    async def chat_asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            response = await self.chat_completions(Request(scope, receive))
            await response(scope, receive, tracking)
        except Exception:  # what Starlette's error middleware would do, in the OpenAI envelope
            log.exception("chat completion failed")
            if started:
                raise
            failed = Rejection(
                500, "The gateway failed to handle the request.", "server_error", "internal_error"
            )
            await _error(failed)(scope, receive, send)

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self.client = httpx.AsyncClient(
            base_url=self._base_url,
            transport=self._transport,
            timeout=httpx.Timeout(600.0, connect=10.0),
            # A small keep-alive pool: httpcore checks every idle connection on each request.
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=16),
        )
        if self.config.tune_runtime:
            tune_for_latency()
        self.guard.start()
        if self.probe is not None:
            self.probe.start()
        log.info("gateway up: upstream %s, policy %s", self.config.upstream, self.policy.policy.version)
        try:
            yield
        finally:
            if self.probe is not None:
                self.probe.stop()
            await self.client.aclose()
            self.guard.close()

    # -- endpoints ------------------------------------------------------------------------------------

    def _account(self, request: Request) -> tuple[str, str] | None:
        key = _bearer(request)
        if key is None:
            return None
        account = self.config.keys.account_for(key)
        return None if account is None else (account, key)

    async def chat_completions(self, request: Request) -> Response:
        started = time.perf_counter()
        who = self._account(request)
        if who is None:
            self.metrics.requests.inc(endpoint="chat", status="401")
            return _error(UNKNOWN_KEY)
        account, key = who
        raw = await request.body()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict):
            self.metrics.requests.inc(endpoint="chat", status="400")
            bad = Rejection(
                400,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
                "invalid_json",
            )
            return _error(bad)
        at = self.clock()
        request_id = request.headers.get("x-request-id") or self._new_request_id()
        rejection = self.guard.check(account)
        if rejection is not None:
            self.metrics.enforced.inc(action="throttle" if rejection.status == 429 else rejection.code)
            self._record(request, account, key, request_id, body, {}, rejection.status, started, at)
            return _error(rejection)
        streaming = bool(body.get("stream"))
        sent = time.perf_counter()
        try:
            response = await self._send(raw)
            answered = time.perf_counter()
            if streaming and response.status_code == 200:
                return self._relay_stream(response, request, account, key, request_id, body, started, at)
            content = await response.aread()
        except httpx.HTTPError as exc:
            log.warning("upstream request failed: %s", exc)
            failed = Rejection(
                502,
                f"The upstream API could not be reached: {type(exc).__name__}.",
                "upstream_error",
                "upstream_unavailable",
            )
            self._record(request, account, key, request_id, body, {}, 502, started, at)
            return _error(failed)
        summary: dict[str, Any] = {}
        if response.status_code == 200:
            try:
                summary = response_summary(orjson.loads(content))
            except orjson.JSONDecodeError:
                summary = {}
        self._record(request, account, key, request_id, body, summary, response.status_code, started, at)
        answer = Response(
            content,
            response.status_code,
            headers={"x-request-id": request_id},
            media_type=response.headers.get("content-type", _JSON),
        )
        if self.probe is not None:
            self.probe.request(started, sent, answered, time.perf_counter())
        return answer

    def _new_request_id(self) -> str:
        """``req_`` + 32 hex digits, unique: a random per-gateway prefix and a counter (a uuid4 per
        request costs a system call for randomness)."""
        self._request_count += 1
        return f"req_{self._request_prefix}{self._request_count:016x}"

    async def _send(self, raw: bytes) -> _Reply:
        """POST the body to the upstream's chat completions; the reply's body is not read yet."""
        if self._lean_post is not None:
            assert isinstance(self._transport, LeanTransport)
            return await self._transport.post(self._lean_post, raw)
        assert self.client is not None
        # A ready URL (not a path merged with base_url on every request): the merge is measurable CPU.
        upstream = httpx.Request("POST", self._chat_url, content=raw, headers=self._upstream_headers)
        return await self.client.send(upstream, stream=True)

    def _relay_stream(
        self,
        response: _Reply,
        request: Request,
        account: str,
        key: str,
        request_id: str,
        body: dict[str, Any],
        started: float,
        at: datetime,
    ) -> StreamingResponse:
        summary = StreamSummary()

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_raw():
                    summary.feed(chunk)
                    yield chunk
            finally:
                await response.aclose()
                self._record(request, account, key, request_id, body, summary.as_response(), 200, started, at)

        return StreamingResponse(
            relay(),
            200,
            headers={"x-request-id": request_id, "cache-control": "no-cache"},
            media_type="text/event-stream",
        )

    async def models(self, request: Request) -> Response:
        if self._account(request) is None:
            self.metrics.requests.inc(endpoint="models", status="401")
            return _error(UNKNOWN_KEY)
        assert self.client is not None
        try:
            response = await self.client.get("models", headers=self._upstream_headers)
        except httpx.HTTPError as exc:
            self.metrics.requests.inc(endpoint="models", status="502")
            return _error(
                Rejection(
                    502,
                    f"The upstream API could not be reached: {type(exc).__name__}.",
                    "upstream_error",
                    "upstream_unavailable",
                )
            )
        self.metrics.requests.inc(endpoint="models", status=str(response.status_code))
        return Response(
            response.content, response.status_code, media_type=response.headers.get("content-type", _JSON)
        )

    async def metrics_endpoint(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=CONTENT_TYPE)

    async def status(self, request: Request) -> Response:
        return Response(orjson.dumps(self.loop.status_dict()), media_type=_JSON)

    async def probe_endpoint(self, request: Request) -> Response:
        """GET: the probe's summary; DELETE: start afresh (after a benchmark's warm-up). 404 when off."""
        if self.probe is None:
            return _error(Rejection(404, "The probe is off (GatewayConfig.probe).", "not_found", "probe_off"))
        if request.method == "DELETE":
            self.probe.reset()
            return Response(status_code=204)
        return Response(orjson.dumps(self.probe.summary()), media_type=_JSON)

    # -- recording ------------------------------------------------------------------------------------

    def _record(
        self,
        request: Request,
        account: str,
        key: str,
        request_id: str,
        body: dict[str, Any],
        summary: dict[str, Any],
        status: int,
        started: float,
        at: datetime,
    ) -> None:
        self.metrics.requests.inc(endpoint="chat", status=str(status))
        event: dict[str, Any] = {
            "ts": rfc3339(at),
            "request_id": request_id,
            "account_id": account,
            "api_key_id": self._key_ids.get(key) or key_id(key),
            "ip": request.client.host if request.client else None,
            "user_agent": request.headers.get("user-agent"),
            "endpoint": CHAT_PATH,
            "request": body,
            "response": summary,
            "status": status,
            "latency_ms": int((time.perf_counter() - started) * 1000),
        }
        created = self._created_iso.get(account)
        if created is not None:
            event["account_created"] = created
        self.guard.record(event, at)
