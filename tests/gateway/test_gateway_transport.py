"""The lean upstream transport against a real uvicorn upstream: plain, streamed, reused, failed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import openai
import pytest
from conftest import KEYS, LEGIT_PROMPT, TEST_POLICY, ReasoningShareDetector

from distillguard.gateway import BackgroundServer, Gateway, GatewayConfig, KeyTable, create_mock_upstream
from distillguard.gateway._transport import LeanTransport
from distillguard.policy import Policy

BODY = {"model": "mock-small", "messages": [{"role": "user", "content": LEGIT_PROMPT}]}


def test_plain_and_streamed_responses_reuse_one_connection() -> None:
    async def run(url: str) -> None:
        transport = LeanTransport()
        connects = 0
        connect = transport._connect

        async def counting(key: tuple[str, str, int]) -> object:
            nonlocal connects
            connects += 1
            return await connect(key)

        transport._connect = counting  # type: ignore[method-assign,assignment]
        async with httpx.AsyncClient(transport=transport, base_url=url) as client:
            reference = await httpx.AsyncClient(base_url=url).post("chat/completions", json=BODY)
            for _ in range(3):
                reply = await client.post("chat/completions", json=BODY)
                assert reply.status_code == 200 and reply.json() == reference.json()
            async with client.stream("POST", "chat/completions", json={**BODY, "stream": True}) as streamed:
                text = "".join([chunk async for chunk in streamed.aiter_text()])
            assert text.endswith("data: [DONE]\n\n") and text.count("data: ") > 5
            missing = await client.post("chat/completions", json={**BODY, "model": "nope"})
            assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"
        assert connects == 1

    with BackgroundServer(create_mock_upstream()) as upstream:
        asyncio.run(run(f"{upstream.url}/v1"))


def test_stale_keep_alive_connection_is_retried_once() -> None:
    async def run(url: str) -> None:
        async with httpx.AsyncClient(transport=LeanTransport(), base_url=url) as client:
            assert (await client.post("chat/completions", json=BODY)).status_code == 200
            transport = client._transport
            assert isinstance(transport, LeanTransport)
            for conns in transport._idle.values():  # the server "times out" the idle connection
                for conn in conns:
                    conn.writer.transport.abort()
            await asyncio.sleep(0.05)
            assert (await client.post("chat/completions", json=BODY)).status_code == 200

    with BackgroundServer(create_mock_upstream()) as upstream:
        asyncio.run(run(f"{upstream.url}/v1"))


def test_unreachable_upstream_is_a_502_in_the_openai_envelope(tmp_path: Path) -> None:
    with BackgroundServer(create_mock_upstream()) as parked:
        dead = f"{parked.url}/v1"  # a port nothing listens on once this server stops
    config = GatewayConfig(
        keys=KeyTable(dict(KEYS)),
        state_dir=tmp_path,
        policy=Policy.from_yaml(TEST_POLICY),
        upstream=dead,
        detect_every=3600,
    )
    with BackgroundServer(Gateway(config, ReasoningShareDetector()).app) as server:
        sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
        with pytest.raises(openai.APIStatusError) as caught:
            sdk.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hi"}])
        assert caught.value.status_code == 502 and caught.value.code == "upstream_unavailable"


def test_gateway_over_a_real_socket_upstream_serves_the_sdk(tmp_path: Path) -> None:
    with BackgroundServer(create_mock_upstream()) as upstream:
        config = GatewayConfig(
            keys=KeyTable(dict(KEYS)),
            state_dir=tmp_path,
            policy=Policy.from_yaml(TEST_POLICY),
            upstream=f"{upstream.url}/v1",
            detect_every=3600,
        )
        with BackgroundServer(Gateway(config, ReasoningShareDetector()).app) as server:
            sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
            reply = sdk.chat.completions.create(
                model="mock-small", messages=[{"role": "user", "content": "hi"}]
            )
            stream = sdk.chat.completions.create(
                model="mock-small", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            assert streamed == reply.choices[0].message.content
            assert [m.id for m in sdk.models.list()] == ["mock-small", "mock-large"]
