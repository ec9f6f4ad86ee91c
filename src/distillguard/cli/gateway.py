"""``distillguard gateway``: run the enforcing OpenAI-compatible reverse proxy."""

from __future__ import annotations

import functools
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from distillguard.cli._app import app
from distillguard.gateway import MOCK, Detector, Gateway, GatewayConfig, KeyTable
from distillguard.policy import Policy, default_policy_text


@app.command("gateway")
def gateway(
    keys: Annotated[Path, typer.Option("--keys", help="KEYS.yaml: 'keys: {API_KEY: ACCOUNT_ID}'.")],
    state: Annotated[Path, typer.Option("--state", help="State folder: events.jsonl, decisions.sqlite.")],
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    upstream: Annotated[
        str, typer.Option("--upstream", help="Upstream base URL ending in /v1, or 'mock' (built-in).")
    ] = MOCK,
    upstream_api_key: Annotated[
        str | None,
        typer.Option(
            "--upstream-api-key", envvar="DISTILLGUARD_UPSTREAM_API_KEY", help="Key for the upstream."
        ),
    ] = None,
    upstream_transport: Annotated[
        str,
        typer.Option(
            "--upstream-transport",
            help="'lean' (keep-alive HTTP/1.1, C parser; fastest) or 'httpx' (httpx's own: proxies, HTTP/2).",
        ),
    ] = "lean",
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy file (reloaded on change or SIGHUP); default built in."),
    ] = None,
    detect_every: Annotated[
        float, typer.Option("--detect-every", help="Seconds between detection cycles.")
    ] = 30.0,
    warm: Annotated[
        list[Path] | None, typer.Option("--warm", help="History to detect over from the start (repeatable).")
    ] = None,
    window_events: Annotated[
        int, typer.Option("--window-events", help="Most recent events kept for detection.")
    ] = 200_000,
    window_hours: Annotated[float, typer.Option("--window-hours", help="Age limit of the window.")] = 24.0,
    detect_in_thread: Annotated[
        bool,
        typer.Option(
            "--detect-in-thread", help="Run detection in a thread of the gateway instead of a worker process."
        ),
    ] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")] = "info",
) -> None:
    """Proxy /v1/chat/completions and /v1/models, record every request and enforce policy decisions."""
    from distillguard.gateway._engine import PipelineDetector, engine_available, make_pipeline_detector
    from distillguard.gateway._worker import ProcessDetector

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    loaded = (
        Policy.from_file(policy) if policy else Policy.from_yaml(default_policy_text(), "<default policy>")
    )
    config = GatewayConfig(
        keys=KeyTable.from_file(keys),
        state_dir=state,
        policy=loaded,
        policy_path=policy,
        upstream=upstream,
        upstream_api_key=upstream_api_key,
        upstream_transport=upstream_transport,
        detect_every=detect_every,
        window_events=window_events,
        window_hours=window_hours,
    )
    engine_available()  # fail now, not at the first cycle, in a build without the engine
    scratch = state / "scratch"
    detector: Detector
    if detect_in_thread:
        detector = PipelineDetector(warm or [], scratch)
    else:
        # The warm history is read in the worker; requests never share a GIL with detection.
        detector = ProcessDetector(functools.partial(make_pipeline_detector, list(warm or []), scratch))
    service = Gateway(config, detector)
    signal.signal(signal.SIGHUP, lambda *_: service.policy.request_reload())
    uvicorn.run(service.app, host=host, port=port, log_level=log_level, access_log=False)
