"""Clients bound to two tenants, ``acme`` and ``globex`` (RFC 7644 §6), and helpers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SCIMTestClient, body
from tests.factories import SCIMClientFactory

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def bound(name: str, tenant: str) -> SCIMTestClient:
    record = SCIMClientFactory(name=name, tenant=tenant)
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {record.raw_token}")
    client.record = record  # type: ignore[attr-defined]
    return client


@pytest.fixture
def acme(db) -> SCIMTestClient:
    return bound("Acme Entra ID", "acme")


@pytest.fixture
def globex(db) -> SCIMTestClient:
    return bound("Globex Okta", "globex")


def new_user(client: SCIMTestClient, user_name: str, **extra: Any) -> dict[str, Any]:
    response = client.post("Users", {"schemas": [USER], "userName": user_name, **extra})
    assert response.status_code == 201, response.content
    return body(response)


def new_group(client: SCIMTestClient, name: str, members: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    payload = {
        "schemas": [GROUP],
        "displayName": name,
        "members": [{"value": member} for member in members],
    }
    response = client.post("Groups", payload)
    assert response.status_code == 201, response.content
    return body(response)


def listed(client: SCIMTestClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return body(response)["Resources"]
