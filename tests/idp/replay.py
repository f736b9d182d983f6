"""Helpers shared by the identity-provider replays: send, expect success, read back."""

from __future__ import annotations

from tests.conftest import body, ops, read

__all__ = ["create", "ops", "patch_ok", "read"]


def create(scim, payload: dict, endpoint: str = "Users") -> dict:
    response = scim.post(endpoint, payload)
    assert response.status_code == 201, body(response)
    return body(response)


def patch_ok(scim, location: str, payload: dict) -> dict:
    """Both IdPs accept 200 with the resource or 204; returns what a later GET shows."""
    response = scim.patch(location, payload)
    assert response.status_code in (200, 204), body(response)
    return read(scim, location)
