"""distillguard inside a LiteLLM proxy: enforce decisions before each call, record each call as an event.

Load it from LiteLLM's ``config.yaml`` (see docs/gateway.md)::

    litellm_settings:
      callbacks: distillguard.gateway.litellm_hook.proxy_handler_instance

``proxy_handler_instance`` is built on first access from ``DISTILLGUARD_*`` environment variables, so
importing this module has no side effects. litellm itself is imported only here (``pip install
'distillguard[litellm]'``); set ``LITELLM_LOCAL_MODEL_COST_MAP=True`` on machines without internet access,
or litellm tries to download its model price list when it is imported.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException as StarletteHTTPException

from distillguard.errors import ConfigError
from distillguard.gateway.detection import Detector, utc_now
from distillguard.gateway.enforcement import Rejection
from distillguard.gateway.events import rfc3339
from distillguard.gateway.guard import Guard, GuardConfig
from distillguard.policy.model import Policy

# Stop litellm fetching its price list from the internet at import time, unless the operator chose to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from litellm.integrations.custom_logger import CustomLogger

if TYPE_CHECKING:
    from litellm.caching.dual_cache import DualCache

# How a LiteLLM key identifies the billing account, most specific organisation first. Each entry is the
# attribute of ``UserAPIKeyAuth`` and the matching key of the logging payload's metadata.
ACCOUNT_FIELDS: dict[str, str] = {
    "org_id": "user_api_key_org_id",
    "team_id": "user_api_key_team_id",
    "user_id": "user_api_key_user_id",
    "token": "user_api_key_hash",
}
ENFORCED_CALL_TYPES = frozenset({"completion", "acompletion", "text_completion", "atext_completion"})


def _http_exception(rejection: Rejection) -> Exception:
    """The exception the LiteLLM proxy turns into an HTTP error with this status, message and headers."""
    headers = {"retry-after": str(rejection.retry_after)} if rejection.retry_after is not None else None
    try:
        exception_type: Any = importlib.import_module("fastapi").HTTPException
    except ImportError:  # litellm installed without its proxy extra: fastapi's base class
        exception_type = StarletteHTTPException
    made: Exception = exception_type(status_code=rejection.status, detail=rejection.message, headers=headers)
    return made


class DistillguardLiteLLMHook(CustomLogger):
    """A LiteLLM ``CustomLogger`` that applies distillguard decisions and feeds detection."""

    def __init__(
        self,
        guard: Guard,
        account_fields: Sequence[str] = ("org_id", "team_id", "user_id", "token"),
    ) -> None:
        super().__init__()
        unknown = [f for f in account_fields if f not in ACCOUNT_FIELDS]
        if unknown:
            raise ConfigError(f"unknown account field '{unknown[0]}'; use {', '.join(ACCOUNT_FIELDS)}")
        self.guard = guard
        self.account_fields = tuple(account_fields)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, detector: Detector | None = None
    ) -> DistillguardLiteLLMHook:
        """Configured by DISTILLGUARD_STATE (required), _POLICY, _DETECT_EVERY, _WARM, _ACCOUNT_FIELDS."""
        state = env.get("DISTILLGUARD_STATE")
        if not state:
            raise ConfigError("set DISTILLGUARD_STATE to the folder for events and decisions")
        policy_path = Path(env["DISTILLGUARD_POLICY"]) if env.get("DISTILLGUARD_POLICY") else None
        if policy_path is not None:
            policy = Policy.from_file(policy_path)
        else:
            from distillguard.policy import default_policy_text

            policy = Policy.from_yaml(default_policy_text(), "<default policy>")
        warm = [Path(p) for p in env.get("DISTILLGUARD_WARM", "").split(os.pathsep) if p]
        if detector is None:
            from distillguard.gateway._engine import PipelineDetector

            detector = PipelineDetector(warm, Path(state) / "scratch")
        config = GuardConfig(
            state_dir=Path(state),
            policy=policy,
            policy_path=policy_path,
            detect_every=float(env.get("DISTILLGUARD_DETECT_EVERY", "30")),
        )
        fields = [
            f.strip()
            for f in env.get("DISTILLGUARD_ACCOUNT_FIELDS", "org_id,team_id,user_id,token").split(",")
        ]
        return cls(Guard(config, detector), [f for f in fields if f])

    # -- account identity -----------------------------------------------------------------------------

    def account_of_key(self, user_api_key_dict: Any) -> str | None:
        for name in self.account_fields:
            value = getattr(user_api_key_dict, name, None)
            if value:
                return str(value)
        return None

    def account_of_metadata(self, metadata: Mapping[str, Any]) -> str | None:
        for name in self.account_fields:
            value = metadata.get(ACCOUNT_FIELDS[name])
            if value:
                return str(value)
        return None

    # -- LiteLLM hooks --------------------------------------------------------------------------------

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: DualCache, data: dict[str, Any], call_type: str
    ) -> dict[str, Any]:
        """Refuse the call (403 / 429 with retry-after) when the account's decision says so."""
        self.guard.start()
        account = self.account_of_key(user_api_key_dict)
        if account is None or call_type not in ENFORCED_CALL_TYPES:
            return data
        rejection = self.guard.check(account)
        if rejection is None:
            return data
        self.guard.metrics.enforced.inc(action="throttle" if rejection.status == 429 else rejection.code)
        at = utc_now()
        self.guard.record(self._refused_event(account, data, rejection.status, at), at)
        raise _http_exception(rejection)

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        """Record the completed call as a canonical event (without the answer's text)."""
        payload = kwargs.get("standard_logging_object")
        if not isinstance(payload, Mapping):
            return
        event = self.event_from_payload(payload)
        if event is not None:
            self.guard.record(event, datetime.fromisoformat(event["ts"]))

    # -- events ---------------------------------------------------------------------------------------

    def event_from_payload(self, payload: Mapping[str, Any]) -> dict[str, Any] | None:
        """A LiteLLM ``StandardLoggingPayload`` as a canonical event (the DESIGN.md input contract)."""
        metadata = payload.get("metadata") or {}
        account = self.account_of_metadata(metadata)
        if account is None:
            return None
        started = float(payload.get("startTime") or 0.0)
        ended = float(payload.get("endTime") or started)
        request: dict[str, Any] = {"model": payload.get("model")}
        request.update(payload.get("model_parameters") or {})
        messages = payload.get("messages")
        if isinstance(messages, list):
            request["messages"] = messages
        response = payload.get("response")
        finish = None
        if (
            isinstance(response, Mapping)
            and isinstance(response.get("choices"), list)
            and response["choices"]
        ):
            finish = response["choices"][0].get("finish_reason")
        return {
            "ts": rfc3339(datetime.fromtimestamp(started, UTC)),
            "request_id": payload.get("id"),
            "account_id": account,
            "api_key_id": metadata.get("user_api_key_hash"),
            "ip": payload.get("requester_ip_address"),
            "user_agent": payload.get("user_agent"),
            "endpoint": "/v1/chat/completions",
            "request": request,
            "response": {
                "choices": [{"finish_reason": finish}],
                "usage": {
                    "prompt_tokens": payload.get("prompt_tokens"),
                    "completion_tokens": payload.get("completion_tokens"),
                    "total_tokens": payload.get("total_tokens"),
                },
            },
            "status": 200,
            "latency_ms": int(max(0.0, ended - started) * 1000),
        }

    @staticmethod
    def _refused_event(account: str, data: Mapping[str, Any], status: int, at: datetime) -> dict[str, Any]:
        request = {
            k: v
            for k, v in data.items()
            if k
            in (
                "model",
                "messages",
                "tools",
                "temperature",
                "top_p",
                "max_tokens",
                "max_completion_tokens",
                "logprobs",
                "top_logprobs",
                "n",
                "reasoning_effort",
                "stream",
            )
        }
        return {
            "ts": rfc3339(at),
            "account_id": account,
            "endpoint": "/v1/chat/completions",
            "request": request,
            "response": {},
            "status": status,
            "latency_ms": 0,
        }


_instance: DistillguardLiteLLMHook | None = None


def __getattr__(name: str) -> Any:
    # ``proxy_handler_instance`` is what LiteLLM's config names; it is built from the environment on first
    # access so that importing the module (e.g. for its docs or tests) does not need a state folder.
    global _instance
    if name == "proxy_handler_instance":
        if _instance is None:
            _instance = DistillguardLiteLLMHook.from_env()
        return _instance
    raise AttributeError(name)
