"""The hub on a real PostgreSQL server, started by the test from the Debian ``postgresql`` package."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from _hub_testkit import PASSWORDS, indicator
from taxii2client.v21 import ApiRoot, as_pages

from distillguard.hub import HubStore, new_member, open_store
from distillguard.hub.server import free_port, hub_in_thread

pytestmark = pytest.mark.postgres


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    """A throwaway cluster on a loopback port; yields a URL of the maintenance database."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); .ci/run installs it")
    # initdb refuses to run as root: run the server as the 'postgres' system user when we are root.
    run_as = "postgres" if os.geteuid() == 0 else None
    if run_as is not None and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="distillguard-pg-"))
    data = base / "data"
    if run_as is not None:
        shutil.chown(base, user=run_as)
    port = free_port()

    def run(*args: str) -> None:
        command = [*args] if run_as is None else ["runuser", "-u", run_as, "--", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "hub", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server: {exc}")
    try:
        yield f"postgresql://hub@127.0.0.1:{port}"
    finally:
        subprocess.run(
            ([] if run_as is None else ["runuser", "-u", run_as, "--"])
            + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_store(pg_server: str) -> Iterator[HubStore]:
    import psycopg

    name = "hub_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    store = open_store(f"{pg_server}/{name}")
    for member, password in PASSWORDS.items():
        store.add_member(new_member(member, password))
    yield store
    store.close()


def _identity(store: HubStore, name: str) -> str:
    member = store.get_member(name)
    assert member is not None
    return member.identity_id


def test_postgres_hub_publish_filter_page_with_taxii2_client(pg_store: HubStore) -> None:
    a = _identity(pg_store, "provider-a")
    with hub_in_thread(pg_store) as url:
        writer = ApiRoot(
            f"{url}/consortium/", user="provider-a", password=PASSWORDS["provider-a"]
        ).collections[0]
        status = writer.add_objects({"objects": [indicator(a, n) for n in range(12)]})
        assert status.success_count == 12
        writer.add_objects({"objects": [indicator(a, 0, modified="2026-03-05T00:00:00.000Z")]})
        reader = ApiRoot(
            f"{url}/consortium/", user="provider-b", password=PASSWORDS["provider-b"]
        ).collections[0]
        pages = list(as_pages(reader.get_objects, per_request=5))
        assert [len(p["objects"]) for p in pages] == [5, 5, 2]
        assert len(reader.get_objects(id=indicator(a, 0)["id"], version="all")["objects"]) == 2
        assert reader.get_objects(type="campaign") == {"more": False}


def test_postgres_hub_refuses_impersonation_and_stores_nothing(pg_store: HubStore) -> None:
    a = _identity(pg_store, "provider-a")
    with hub_in_thread(pg_store) as url:
        mallory = ApiRoot(
            f"{url}/consortium/", user="provider-b", password=PASSWORDS["provider-b"]
        ).collections[0]
        with pytest.raises(requests.HTTPError) as caught:
            mallory.add_objects({"objects": [indicator(a, 1)]})
        assert caught.value.response.status_code == 403
    assert pg_store.count_objects() == 0
    assert [e.action for e in pg_store.read_audit(member="provider-b")][-1] == "publish_refused"
