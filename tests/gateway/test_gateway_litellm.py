"""The LiteLLM integration: real litellm calls feed detection; the pre-call hook enforces decisions."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest
from gateway_doubles import HARVEST_PROMPT, LEGIT_PROMPT, TEST_POLICY, ReasoningShareDetector

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no download at import, offline CI
litellm = pytest.importorskip(
    "litellm", reason="litellm is an optional extra: pip install 'distillguard[litellm]'"
)

from litellm.proxy._types import UserAPIKeyAuth  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402

from distillguard.gateway import BackgroundServer, create_mock_upstream  # noqa: E402
from distillguard.gateway.guard import Guard, GuardConfig  # noqa: E402
from distillguard.gateway.litellm_hook import DistillguardLiteLLMHook  # noqa: E402
from distillguard.policy import DecisionStore, Policy  # noqa: E402


def make_hook(tmp_path: Path) -> DistillguardLiteLLMHook:
    config = GuardConfig(
        state_dir=tmp_path / "state", policy=Policy.from_yaml(TEST_POLICY, "p"), detect_every=3600
    )
    # The throttle's bucket refills with time: a frozen monotonic clock keeps a slow machine from refilling
    # it between the test's calls.
    guard = Guard(config, ReasoningShareDetector(), monotonic=lambda: 1_000.0)
    return DistillguardLiteLLMHook(guard, account_fields=["org_id", "token"])


def payload(org: str, prompt: str, start: float) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{start}",
        "startTime": start,
        "endTime": start + 0.25,
        "model": "mock-small",
        "messages": [{"role": "user", "content": prompt}],
        "model_parameters": {"temperature": 0.2},
        "response": {"choices": [{"finish_reason": "stop", "message": {"content": "secret answer"}}]},
        "prompt_tokens": 12,
        "completion_tokens": 30,
        "total_tokens": 42,
        "metadata": {"user_api_key_org_id": org, "user_api_key_hash": "hash-1"},
        "requester_ip_address": "203.0.113.7",
        "user_agent": "python-requests/2.32",
    }


async def pre_call(hook: DistillguardLiteLLMHook, org: str) -> dict[str, Any]:
    data = {"model": "mock-small", "messages": [{"role": "user", "content": HARVEST_PROMPT}]}
    result: dict[str, Any] = await hook.async_pre_call_hook(
        UserAPIKeyAuth(org_id=org), None, data, "acompletion"
    )
    return result


def test_pre_call_hook_blocks_and_throttles_after_detection(tmp_path: Path) -> None:
    hook = make_hook(tmp_path)

    async def scenario() -> None:
        now = time.time() - 60
        for i in range(6):
            await hook.async_log_success_event(
                {"standard_logging_object": payload("org_h", HARVEST_PROMPT, now + i)}, None, None, None
            )
            prompt = HARVEST_PROMPT if i % 3 else LEGIT_PROMPT
            await hook.async_log_success_event(
                {"standard_logging_object": payload("org_m", prompt, now + i)}, None, None, None
            )
            await hook.async_log_success_event(
                {"standard_logging_object": payload("org_ok", LEGIT_PROMPT, now + i)}, None, None, None
            )
        assert await pre_call(hook, "org_h")  # served before detection
        hook.guard.loop.run_cycle()
        with pytest.raises(HTTPException) as blocked:
            await pre_call(hook, "org_h")
        assert blocked.value.status_code == 403 and "reasoning-harvest" in str(blocked.value.detail)
        await pre_call(hook, "org_m")
        await pre_call(hook, "org_m")  # the rule's burst of 2
        with pytest.raises(HTTPException) as limited:
            await pre_call(hook, "org_m")
        assert limited.value.status_code == 429 and int((limited.value.headers or {})["retry-after"]) >= 1
        assert await pre_call(hook, "org_ok")

    try:
        asyncio.run(scenario())
        event = hook.guard.recorder.snapshot(hook.guard.clock())[0]
        assert event["account_id"] == "org_h" and event["request"]["temperature"] == 0.2
        assert "secret answer" not in str(event)  # the answer's text is not recorded
        with DecisionStore(tmp_path / "state") as store:
            assert {d.account_id: d.action.value for d in store.decisions()} == {
                "org_h": "block",
                "org_m": "throttle",
                "org_ok": "allow",
            }
    finally:
        hook.guard.close()


def test_real_litellm_calls_are_recorded_as_canonical_events(tmp_path: Path) -> None:
    hook = make_hook(tmp_path)
    with BackgroundServer(create_mock_upstream()) as upstream:

        async def call() -> Any:
            reply = await litellm.acompletion(
                model="openai/mock-small",
                api_base=f"{upstream.url}/v1",
                api_key="sk-upstream",
                messages=[{"role": "user", "content": HARVEST_PROMPT}],
                metadata={"user_api_key_org_id": "org_real"},
            )
            # litellm logs success in a background task: give it the loop until it has run.
            deadline = time.monotonic() + 10
            while len(hook.guard.recorder) == 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return reply

        previous = litellm.callbacks
        litellm.callbacks = [hook]
        try:
            reply = asyncio.run(call())
            assert reply.choices[0].message.content.startswith("Mock answer")
        finally:
            litellm.callbacks = previous
            hook.guard.close()
    events = hook.guard.recorder.snapshot(hook.guard.clock())
    assert len(events) == 1, "litellm did not call async_log_success_event"
    event = events[0]
    assert event["account_id"] == "org_real"
    assert event["request"]["messages"][0]["content"] == HARVEST_PROMPT
    assert event["response"]["usage"]["completion_tokens"] == reply.usage.completion_tokens
    assert event["response"]["choices"] == [{"finish_reason": "stop"}]


def test_litellm_config_loader_finds_the_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``callbacks: distillguard.gateway.litellm_hook.proxy_handler_instance`` resolves as LiteLLM does it."""
    from litellm.proxy.types_utils.utils import get_instance_fn

    from distillguard.gateway import litellm_hook

    policy = tmp_path / "policy.yaml"
    policy.write_text(TEST_POLICY)
    monkeypatch.setenv("DISTILLGUARD_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("DISTILLGUARD_POLICY", str(policy))
    monkeypatch.setenv("DISTILLGUARD_ACCOUNT_FIELDS", "team_id,token")
    monkeypatch.setattr(litellm_hook, "_instance", None)
    config_file = tmp_path / "config.yaml"  # no distillguard/*.py beside it: the installed module is used
    hook = get_instance_fn("distillguard.gateway.litellm_hook.proxy_handler_instance", str(config_file))
    try:
        assert isinstance(hook, DistillguardLiteLLMHook)
        assert hook.account_fields == ("team_id", "token")
        assert hook.guard.policy.policy.version == "test-1"
        assert hook.account_of_key(UserAPIKeyAuth(team_id="team_9", token="t")) == "team_9"
    finally:
        hook.guard.close()
        monkeypatch.setattr(litellm_hook, "_instance", None)


def test_hook_configuration_errors_are_clear(tmp_path: Path) -> None:
    from distillguard.errors import ConfigError

    with pytest.raises(ConfigError, match="DISTILLGUARD_STATE"):
        DistillguardLiteLLMHook.from_env({}, detector=ReasoningShareDetector())
    with pytest.raises(ConfigError, match="unknown account field 'org'"):
        DistillguardLiteLLMHook.from_env(
            {"DISTILLGUARD_STATE": str(tmp_path), "DISTILLGUARD_ACCOUNT_FIELDS": "org"},
            detector=ReasoningShareDetector(),
        )
