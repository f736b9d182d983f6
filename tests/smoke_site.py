"""Microsoft Entra ID's first requests for a new user, sent to a Django site in-process.

Run from a site's directory (where its settings module is importable) with
``DJANGO_SETTINGS_MODULE`` set and a read-write bearer token in ``SCIM_TOKEN``::

    python smoke_site.py [SCIM prefix, default /scim/v2/]

It opens no socket: the requests go through Django's test client into the
site's own WSGI handler, so they pass through its middleware and URLconf.
Prints one JSON object per request (step, method, path, status, body) and
exits 1 at the first unexpected status. The order is what Entra's
provisioning service does for one assigned user, then unassigned, then
hard-deleted:
https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
and the bodies are those of its tutorial:
https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

SCIM_JSON = "application/scim+json"
USER_NAME = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
NEW_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": USER_NAME,
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "test.user@example.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Test User", "familyName": "User", "givenName": "Test"},
    "roles": [],
}
# The default Entra job capitalises ops and sends booleans as strings.
DISABLE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
}


def send(client: Any, step: str, method: str, path: str, expected: int, data: Any = None) -> Any:
    kwargs = {} if data is None else {"data": json.dumps(data), "content_type": SCIM_JSON}
    response = getattr(client, method.lower())(path, **kwargs)
    content = json.loads(response.content) if response.content else None
    record = {"step": step, "method": method, "path": path, "status": response.status_code}
    print(json.dumps(record | {"body": content}), flush=True)
    if response.status_code != expected:
        sys.exit(f"{step}: expected {expected}, got {response.status_code}")
    return content


def run(prefix: str, token: str) -> None:
    import django
    from django.test import Client

    django.setup()
    # "localhost" passes a fresh project's ALLOWED_HOSTS check (DEBUG on, list empty).
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    users = f"{prefix}Users"
    found = send(client, "lookup", "GET", f'{users}?filter=userName eq "{USER_NAME}"', 200)
    assert found["totalResults"] == 0, found
    created = send(client, "create", "POST", users, 201, NEW_USER)
    user = f"{users}/{created['id']}"
    send(client, "disable", "PATCH", user, 200, DISABLE)
    again = send(client, "read", "GET", user, 200)
    assert again["active"] is False, again
    send(client, "delete", "DELETE", user, 204)
    send(client, "gone", "GET", user, 404)


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "/scim/v2/", os.environ["SCIM_TOKEN"])
