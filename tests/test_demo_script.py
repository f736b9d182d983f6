"""``scripts/demo`` as README's quick start runs it: the example project served on
127.0.0.1, SCIM answering with the token it printed, and the admin with its styles
although DEBUG is off.

The script runs in a subprocess on a free port with its own SQLite file, and is
stopped (its whole process group) when the test ends.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "scripts" / "demo"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    """Where the demo's output goes."""
    return tmp_path_factory.mktemp("demo") / "output.txt"


@pytest.fixture(scope="module")
def demo(output):
    """The running demo: its base URL and the token it printed."""
    port = _free_port()
    env = os.environ | {
        "PORT": str(port),
        "SCIM_EXAMPLE_SQLITE": str(output.with_name("demo.sqlite3")),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with output.open("w") as sink:
        process = subprocess.Popen(
            [str(DEMO)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        token = _wait_until_served(base, output, process)
        yield base, token
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _wait_until_served(base: str, output: Path, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scripts/demo exited with {process.returncode}:\n{output.read_text()}")
        found = re.search(r"Bearer token:\s+(\S+)", output.read_text())
        if found:
            try:
                httpx.get(f"{base}/admin/login/", timeout=2)
            except httpx.TransportError:
                time.sleep(0.5)
                continue
            return found.group(1)
        time.sleep(0.5)
    pytest.fail(f"scripts/demo did not serve within 240 s:\n{output.read_text()}")


def test_the_printed_token_reaches_scim(demo):
    """README's quick start: the token the demo printed answers SCIM requests."""
    base, token = demo
    response = httpx.get(
        f"{base}/scim/v2/ServiceProviderConfig", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/scim+json"


def test_each_organisations_token_reaches_its_own_url(demo, output):
    """RFC 7644 §6.1: the demo prints a client per organisation with its tenant's URL;
    each token answers there, and at the other organisation's URL gets 404."""
    base, _token = demo
    found = re.findall(r"SCIM endpoint: (\S+/scim/(\w+)/v2/)\n  Token:\s+(\S+)", output.read_text())
    printed = {tenant: (url, token) for url, tenant, token in found}
    assert sorted(printed) == ["acme", "globex"]
    for tenant, other in (("acme", "globex"), ("globex", "acme")):
        url, token = printed[tenant]
        assert url == f"{base}/scim/{tenant}/v2/"
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{url}ServiceProviderConfig", headers=headers).status_code == 200
        assert httpx.get(f"{printed[other][0]}Users", headers=headers).status_code == 404


def test_the_admin_is_served_with_its_stylesheets(demo):
    """The admin login page links its stylesheets, and the server answers them as CSS."""
    base, _token = demo
    page = httpx.get(f"{base}/admin/login/")
    assert page.status_code == 200
    sheets = re.findall(r'<link[^>]+href="([^"]+\.css)"', page.text)
    assert sheets, page.text[:500]
    sheet = httpx.get(f"{base}{sheets[0]}")
    assert sheet.status_code == 200
    assert sheet.headers["Content-Type"].startswith("text/css")
    assert len(sheet.content) > 100
