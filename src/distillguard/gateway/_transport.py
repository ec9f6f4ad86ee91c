"""A lean HTTP/1.1 transport for ``httpx.AsyncClient``: keep-alive sockets and httptools' C parser.

httpx's default transport (httpcore on anyio, h11 in pure Python) costs a few milliseconds of CPU per
request on a busy machine, most of the gateway's own cost. This transport does one thing, talk HTTP/1.1
to one OpenAI-compatible upstream, with a request written in one call, the response parsed in C and the
body streamed as it arrives. It plugs into the same shared ``httpx.AsyncClient``, so the gateway code,
the error handling (``httpx.HTTPError``) and test injection are unchanged.

On the gateway's hot path (``POST /chat/completions``) even httpx's own request and response objects
cost about as much CPU as the rest of the request (header normalisation, charset sniffing, URL merging),
so the gateway can also skip them: ``PreparedPost`` pre-encodes the request head once and
``LeanTransport.post`` returns a ``LeanReply`` (status, headers, body stream), raising the same
``httpx.HTTPError`` subclasses.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator

import httptools
import httpx

_Key = tuple[str, str, int]


class _Connection:
    __slots__ = ("key", "reader", "writer")

    def __init__(self, key: _Key, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.key, self.reader, self.writer = key, reader, writer

    def close(self) -> None:
        self.writer.close()


class _Response:
    """httptools callbacks: collects the status, headers and body chunks of one response."""

    def __init__(self) -> None:
        self.parser: httptools.HttpResponseParser | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.keep_alive = False
        self.complete = False
        self.chunks: deque[bytes] = deque()

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def framed(self) -> bool:
        """True when the body's end is marked (content-length or chunked), not the connection's close."""
        return any(name.lower() in (b"content-length", b"transfer-encoding") for name, _ in self.headers)

    def on_headers_complete(self) -> None:
        self.headers_done = True
        # Asked now: once the message is complete the parser has reset and always answers False.
        self.keep_alive = self.parser is not None and self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class _BodyStream(httpx.AsyncByteStream):
    def __init__(
        self,
        transport: LeanTransport,
        conn: _Connection,
        parser: httptools.HttpResponseParser,
        state: _Response,
    ) -> None:
        self._transport, self._conn, self._parser, self._state = transport, conn, parser, state
        self._finished = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        state = self._state
        while True:
            while state.chunks:
                yield state.chunks.popleft()
            if state.complete:
                self._finished = True
                return
            data = await self._transport._read(self._conn)
            if not data:  # closed by the server: a body delimited by the connection's end is complete
                self._conn.close()
                self._conn = None  # type: ignore[assignment]
                if state.framed():
                    raise httpx.RemoteProtocolError(
                        "the upstream closed the connection in the middle of a body"
                    )
                return
            self._transport._feed(self._parser, data)

    async def aclose(self) -> None:
        if self._conn is None:
            return
        reusable = self._finished and self._state.keep_alive
        self._transport._release(self._conn, reusable)
        self._conn = None  # type: ignore[assignment]


class LeanReply:
    """What the gateway reads of an upstream response: the subset of ``httpx.Response`` it uses."""

    __slots__ = ("_stream", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], stream: _BodyStream) -> None:
        self.status_code, self.headers, self._stream = status_code, headers, stream

    async def aread(self) -> bytes:
        try:
            return b"".join([chunk async for chunk in self._stream])
        finally:
            await self._stream.aclose()

    def aiter_raw(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()

    async def aclose(self) -> None:
        await self._stream.aclose()


class PreparedPost:
    """A POST to one URL with fixed headers, its head encoded once; ``payload(body)`` per request.

    No ``accept-encoding``: the upstream answers uncompressed, so bodies and SSE streams can be relayed
    byte for byte.
    """

    def __init__(self, url: httpx.URL, headers: dict[str, str]) -> None:
        port = url.port or (443 if url.scheme == "https" else 80)
        self.key: _Key = (url.scheme, url.host, port)
        host = url.host if url.port is None else f"{url.host}:{url.port}"
        lines = [f"POST {url.raw_path.decode('ascii')} HTTP/1.1", f"host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._head = ("\r\n".join(lines) + "\r\ncontent-length: ").encode("latin-1")

    def payload(self, body: bytes) -> bytes:
        return b"%s%d\r\n\r\n%s" % (self._head, len(body), body)


class LeanTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        max_idle: int = 16,
        connect_timeout: float = 10.0,
        read_timeout: float = 600.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.max_idle = max_idle
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._ssl = ssl_context
        self._idle: dict[_Key, list[_Connection]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key: _Key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        payload = self._encode(request, await request.aread())
        parser, state, stream = await self._roundtrip(key, payload, request)
        return httpx.Response(
            parser.get_status_code(),
            headers=state.headers,
            stream=stream,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def post(self, prepared: PreparedPost, body: bytes) -> LeanReply:
        """``prepared``'s POST with ``body``, without httpx's request and response objects."""
        parser, state, stream = await self._roundtrip(prepared.key, prepared.payload(body), None)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in state.headers}
        return LeanReply(parser.get_status_code(), headers, stream)

    async def _roundtrip(
        self, key: _Key, payload: bytes, request: httpx.Request | None
    ) -> tuple[httptools.HttpResponseParser, _Response, _BodyStream]:
        fresh = False
        conn = self._pop_idle(key)
        if conn is None:
            conn, fresh = await self._connect(key), True
        try:
            return await self._exchange(conn, payload)
        except (httpx.RemoteProtocolError, httpx.ReadError, ConnectionError) as exc:
            conn.close()
            if fresh:
                raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
            # An idle keep-alive connection the server had closed: retry once on a new one.
            conn = await self._connect(key)
            try:
                return await self._exchange(conn, payload)
            except (httpx.RemoteProtocolError, ConnectionError) as again:
                conn.close()
                raise httpx.RemoteProtocolError(
                    str(again) or type(again).__name__, request=request
                ) from again

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    # -- internals ------------------------------------------------------------------------------------

    @staticmethod
    def _encode(request: httpx.Request, body: bytes) -> bytes:
        lines = [b"%s %s HTTP/1.1" % (request.method.encode(), request.url.raw_path)]
        for name, value in request.headers.raw:
            lines.append(name + b": " + value)
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    async def _exchange(
        self, conn: _Connection, payload: bytes
    ) -> tuple[httptools.HttpResponseParser, _Response, _BodyStream]:
        conn.writer.write(payload)
        state = _Response()
        parser = httptools.HttpResponseParser(state)
        state.parser = parser
        while not state.headers_done:
            data = await self._read(conn)
            if not data:
                raise httpx.RemoteProtocolError("the upstream closed the connection without a response")
            self._feed(parser, data)
        return parser, state, _BodyStream(self, conn, parser, state)

    async def _connect(self, key: _Key) -> _Connection:
        scheme, host, port = key
        context = (self._ssl or ssl.create_default_context()) if scheme == "https" else None
        try:
            async with asyncio.timeout(self.connect_timeout):
                reader, writer = await asyncio.open_connection(host, port, ssl=context, limit=1 << 20)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        return _Connection(key, reader, writer)

    async def _read(self, conn: _Connection) -> bytes:
        try:
            async with asyncio.timeout(self.read_timeout):
                return await conn.reader.read(65536)
        except TimeoutError as exc:
            conn.close()
            raise httpx.ReadTimeout("the upstream did not answer in time") from exc
        except OSError as exc:
            conn.close()
            raise httpx.ReadError(str(exc)) from exc

    @staticmethod
    def _feed(parser: httptools.HttpResponseParser, data: bytes) -> None:
        try:
            parser.feed_data(data)
        except httptools.HttpParserError as exc:
            raise httpx.RemoteProtocolError(f"invalid HTTP response from the upstream: {exc}") from exc

    def _pop_idle(self, key: _Key) -> _Connection | None:
        conns = self._idle.get(key)
        while conns:
            conn = conns.pop()
            if not conn.writer.is_closing() and not conn.reader.at_eof():
                return conn
            conn.close()
        return None

    def _release(self, conn: _Connection, reusable: bool) -> None:
        conns = self._idle.setdefault(conn.key, [])
        if reusable and len(conns) < self.max_idle and not conn.writer.is_closing():
            conns.append(conn)
        else:
            conn.close()
