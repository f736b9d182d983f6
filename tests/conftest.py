"""Shared fixtures: authenticated SCIM clients and sample payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from django_scim.models import SCIMClient
from tests.factories import SCIMClientFactory

SAMPLES = Path(__file__).parent / "samples"
SCIM_JSON = "application/scim+json"
BASE = "/scim/v2"


def _url(path: str) -> str:
    """Paths are relative to the SCIM prefix unless they already start with it."""
    return path if path.startswith("/scim/") else f"{BASE}/{path.lstrip('/')}"


class SCIMTestClient(APIClient):
    """APIClient that sends SCIM JSON bodies and decodes SCIM JSON responses."""

    def _send(
        self, method: str, path: str, data: Any = None, content_type: str = SCIM_JSON, **extra: Any
    ):
        body = data if isinstance(data, (str, bytes)) or data is None else json.dumps(data)
        return getattr(super(), method)(_url(path), body, content_type=content_type, **extra)

    def get(self, path, data=None, **extra):
        return super().get(_url(path), data, **extra)

    def post(self, path, data=None, **extra):
        return self._send("post", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._send("put", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._send("patch", path, data, **extra)

    def delete(self, path, data=None, **extra):
        return self._send("delete", path, data, **extra)


def body(response) -> Any:
    """The decoded JSON body of a SCIM response."""
    return json.loads(response.content) if response.content else None


def ops(*operations: dict) -> dict:
    """A PatchOp request (RFC 7644 §3.5.2) carrying ``operations``."""
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": list(operations),
    }


def read(scim, location: str) -> dict:
    """GET ``location``, which must answer 200; its body."""
    response = scim.get(location)
    assert response.status_code == 200
    return body(response)


@pytest.fixture
def scim_client_record(db) -> SCIMClient:
    return SCIMClientFactory(name="Test IdP")


@pytest.fixture
def scim(scim_client_record) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {scim_client_record.raw_token}")
    return client


@pytest.fixture
def read_only_scim(db) -> SCIMTestClient:
    record = SCIMClientFactory(name="Auditor", scope=SCIMClient.Scope.READ)
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {record.raw_token}")
    return client


@pytest.fixture
def anonymous(db) -> SCIMTestClient:
    return SCIMTestClient()


ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
#: Text that must never reach a client: stack traces, database names and messages.
LEAKS = (
    "Traceback",
    'File "',
    "UNIQUE constraint",
    "duplicate key",
    "IntegrityError",
    "auth_user",
    "auth_group",
    "server closed",
    "terminating connection",
)


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    """A SCIM Error (RFC 7644 §3.12): Error URN, status as a string, scimType when given,
    the SCIM media type, and nothing of the server's internals."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM_JSON
    data = body(response)
    assert data["schemas"] == [ERROR_URN]
    assert data["status"] == str(status)
    if scim_type is not None:
        assert data["scimType"] == scim_type
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text
    return data


def load_sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def sample():
    return load_sample


@pytest.fixture(autouse=True)
def log_each_request(monkeypatch):
    """Provisioning-log rows are written as each request ends (no batching of reads), so
    a test sees the row of the request it just made; nothing waits across tests."""
    from django_scim import provisioning_log

    monkeypatch.setattr(provisioning_log.buffer, "size", 1)
    yield
    provisioning_log.buffer.discard()
