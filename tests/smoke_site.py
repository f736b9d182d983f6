"""Microsoft Entra ID's first requests for a new user, sent to a Django site in-process.

Run from a site's directory (where its settings module is importable) with
``DJANGO_SETTINGS_MODULE`` set and a read-write bearer token in ``SCIM_TOKEN``::

    python /path/to/tests/smoke_site.py [SCIM prefix, default /scim/v2/]

It opens no socket: the requests go through Django's test client into the
site's own WSGI handler, so they pass through its middleware and URLconf.
Prints one JSON object per request (step, method, path, status, body) and
exits at the first unexpected status. The order is what Entra's provisioning
service does for one assigned user, then unassigned, then hard-deleted:
https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
and the bodies are those of its tutorial, from tests/samples/.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

SCIM_JSON = "application/scim+json"
SAMPLES = Path(__file__).resolve().parent / "samples"
NEW_USER = json.loads((SAMPLES / "entra-create-user.json").read_text())
# The default Entra job capitalises ops and sends booleans as strings.
DISABLE = json.loads((SAMPLES / "entra-disable-user.json").read_text())


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
    user_name = NEW_USER["userName"]
    found = send(client, "lookup", "GET", f'{users}?filter=userName eq "{user_name}"', 200)
    assert found["totalResults"] == 0, found
    created = send(client, "create", "POST", users, 201, NEW_USER)
    user = f"{users}/{created['id']}"
    send(client, "disable", "PATCH", user, 200, DISABLE)
    again = send(client, "read", "GET", user, 200)
    assert again["active"] is False, again
    send(client, "delete", "DELETE", user, 204)
    send(client, "gone", "GET", user, 404)


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())  # the site's settings, as manage.py finds them
    run(sys.argv[1] if len(sys.argv) > 1 else "/scim/v2/", os.environ["SCIM_TOKEN"])
