"""Run the hub with uvicorn: in the foreground (``distillguard hub serve``) or in a background thread
(tests, benchmarks and the demo, which need a real HTTP server for a while)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from distillguard.errors import HubError
from distillguard.hub.app import create_app
from distillguard.hub.store import HubStore, open_store


def serve(host: str, port: int, db: str | Path, log_level: str = "info", access_log: bool = False) -> None:
    """Serve the hub over ``db`` (SQLite path or ``postgresql://`` URL) until interrupted.

    The HTTP access log is off by default: the hub's audit log already records who read and published
    what, with the objects involved.
    """
    store = open_store(db)
    try:
        uvicorn.run(create_app(store), host=host, port=port, log_level=log_level, access_log=access_log)
    finally:
        store.close()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def hub_in_thread(store: HubStore, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve ``store`` from a uvicorn server in a daemon thread; yield its base URL; stop it on exit."""
    config = uvicorn.Config(
        create_app(store), host=host, port=port or free_port(host), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="distillguard-hub", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise HubError("the hub server did not start", host=host, port=config.port)
        time.sleep(0.01)
    try:
        yield f"http://{host}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
