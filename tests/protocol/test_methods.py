"""Methods an endpoint does not support: 405 with a SCIM Error body and an ``Allow`` header.

RFC 7644 §3.12 lists 405 among the statuses a SCIM error carries; RFC 9110
§15.5.6: "The origin server MUST generate an Allow header field in a 405
response containing a list of the target resource's currently supported
methods." Every endpoint answers so, whatever the method, known to SCIM or
not.
"""

from __future__ import annotations

import pytest

from django_scim.constants import BULK_REQUEST, ERROR, USER_SCHEMA
from tests.conftest import body

#: Each endpoint (a path relative to the prefix) and the methods it serves.
ENDPOINTS = {
    "Users": {"GET", "POST"},
    "Users/{user}": {"GET", "PUT", "PATCH", "DELETE"},
    "Users/.search": {"POST"},
    "Groups": {"GET", "POST"},
    "Groups/{group}": {"GET", "PUT", "PATCH", "DELETE"},
    "Groups/.search": {"POST"},
    ".search": {"POST"},
    "ServiceProviderConfig": {"GET"},
    "Schemas": {"GET"},
    f"Schemas/{USER_SCHEMA}": {"GET"},
    "ResourceTypes": {"GET"},
    "ResourceTypes/User": {"GET"},
    "Bulk": {"POST"},
    "Me": {"GET", "PUT", "PATCH", "POST", "DELETE"},
}
SCIM_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
OTHER_METHODS = ("TRACE", "PURGE")

CASES = [
    (path, method)
    for path, allowed in ENDPOINTS.items()
    for method in (*SCIM_METHODS, *OTHER_METHODS)
    if method not in allowed
]


@pytest.fixture
def ids(scim) -> dict[str, str]:
    user = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    group = scim.post("Groups", {"displayName": "Tour Guides"})
    return {"user": body(user)["id"], "group": body(group)["id"]}


@pytest.mark.parametrize(("path", "method"), CASES)
def test_unsupported_method_is_405_with_allow(scim, ids, path, method):
    """RFC 7644 §3.12 and RFC 9110 §15.5.6: 405, a SCIM Error body, and Allow naming what
    the endpoint serves (and not the method refused)."""
    url = "/scim/v2/" + path.format(**ids)
    response = scim.generic(method, url, "{}", content_type="application/scim+json")
    assert response.status_code == 405, (response.status_code, response.content[:200])
    data = body(response)
    assert data["schemas"] == [ERROR]
    assert data["status"] == "405"
    allowed = {name.strip() for name in response["Allow"].split(",")}
    assert ENDPOINTS[path] <= allowed
    assert method not in allowed


def test_bulk_post_is_served(scim):
    """RFC 7644 §3.7: POST is Bulk's method: served (200), not 405."""
    response = scim.post("Bulk", {"schemas": [BULK_REQUEST], "Operations": []})
    assert response.status_code == 200
