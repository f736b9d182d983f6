"""The admin: SCIM clients (token shown once, stored as a digest) and the read-only log.

The provisioning log is an audit trail, so the admin can read and search it
but not add or edit entries. A client's raw token exists only in the message
shown right after it is issued (RFC 6819 §5.1.4.1.3: no clear-text secrets at
rest).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from django_scim.models import ProvisioningLog, SCIMClient
from tests.conftest import SCIMTestClient
from tests.factories import SCIMClientFactory

TOKEN_IN_MESSAGE = re.compile(r"<code>(scim_[A-Za-z0-9_\-]+)</code>")


@pytest.fixture
def admin_client(db) -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.test", "pw")
    client = Client()
    client.force_login(user)
    return client


def bearer(raw: str) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def log_entry(
    path: str, status: int = 200, resource_type: str = "User", **fields
) -> ProvisioningLog:
    return ProvisioningLog.objects.create(
        method="GET",
        path=path,
        status=status,
        resource_type=resource_type,
        duration_ms=1.5,
        **fields,
    )


# -- clients -----------------------------------------------------------------------


def test_client_changelist_renders(admin_client):
    """Administrators see the configured clients."""
    SCIMClientFactory(name="Entra ID")
    response = admin_client.get(reverse("admin:django_scim_scimclient_changelist"))
    assert response.status_code == 200
    assert "Entra ID" in response.content.decode()


def test_client_add_page_renders(admin_client):
    """The add form asks for a name; the token is generated, not typed."""
    response = admin_client.get(reverse("admin:django_scim_scimclient_add"))
    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()


def test_adding_a_client_shows_its_token_once_and_stores_the_digest(admin_client):
    """The raw token appears in the message after saving and nowhere afterwards; the row
    holds only its SHA-256 digest."""
    response = admin_client.post(
        reverse("admin:django_scim_scimclient_add"),
        {
            "name": "Okta",
            "scope": "read_write",
            "is_active": "on",
            "cycle_minutes": "40",
            "_save": "Save",
        },
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    tokens = [m for text in messages for m in TOKEN_IN_MESSAGE.findall(text)]
    assert len(tokens) == 1
    raw = tokens[0]
    row = SCIMClient.objects.filter(name="Okta").values().get()
    assert row["token_digest"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in row.values())
    again = admin_client.get(reverse("admin:django_scim_scimclient_changelist"))
    assert raw not in again.content.decode()


def test_token_issued_in_the_admin_authenticates(admin_client):
    """The token shown after adding a client is a working bearer token (RFC 6750 §2.1)."""
    response = admin_client.post(
        reverse("admin:django_scim_scimclient_add"),
        {
            "name": "Okta",
            "scope": "read_write",
            "is_active": "on",
            "cycle_minutes": "40",
            "_save": "Save",
        },
        follow=True,
    )
    raw = TOKEN_IN_MESSAGE.search(response.content.decode()).group(1)
    assert bearer(raw).get("Users").status_code == 200


def test_editing_a_client_keeps_its_token(admin_client):
    """Saving an existing client (a rename) issues no new token and shows none."""
    record = SCIMClientFactory(name="Old Name")
    digest = record.token_digest
    response = admin_client.post(
        reverse("admin:django_scim_scimclient_change", args=[record.pk]),
        {
            "name": "New Name",
            "scope": "read_write",
            "is_active": "on",
            "cycle_minutes": "40",
            "_save": "Save",
        },
        follow=True,
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert (record.name, record.token_digest) == ("New Name", digest)
    assert not TOKEN_IN_MESSAGE.search(response.content.decode())
    assert bearer(record.raw_token).get("Users").status_code == 200


def test_revoke_action_deactivates_the_client(admin_client):
    """The revoke action turns the client off; its token then gets 401 (RFC 7644 §2)."""
    record = SCIMClientFactory(name="Leaked")
    other = SCIMClientFactory(name="Untouched")
    response = admin_client.post(
        reverse("admin:django_scim_scimclient_changelist"),
        {"action": "revoke", "_selected_action": [str(record.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    record.refresh_from_db()
    other.refresh_from_db()
    assert (record.is_active, other.is_active) == (False, True)
    assert bearer(record.raw_token).get("Users").status_code == 401


def test_rotate_action_issues_a_new_token_and_retires_the_old(admin_client):
    """Rotation (RFC 6819 §5.1.5.3): the new token is shown once; the old one gets 401."""
    record = SCIMClientFactory(name="Rotating")
    response = admin_client.post(
        reverse("admin:django_scim_scimclient_changelist"),
        {"action": "rotate_token", "_selected_action": [str(record.pk)]},
        follow=True,
    )
    new_raw = TOKEN_IN_MESSAGE.search(response.content.decode()).group(1)
    assert new_raw != record.raw_token
    assert bearer(record.raw_token).get("Users").status_code == 401
    assert bearer(new_raw).get("Users").status_code == 200


# -- the provisioning log ------------------------------------------------------------


def test_log_changelist_renders(admin_client):
    """The provisioning log is listed in the admin."""
    log_entry("/scim/v2/Users/alpha")
    response = admin_client.get(reverse("admin:django_scim_provisioninglog_changelist"))
    assert response.status_code == 200
    assert "/scim/v2/Users/alpha" in response.content.decode()


def test_log_changelist_filters_by_status(admin_client):
    """Filtering by status finds, e.g., every 409 (uniqueness conflict)."""
    log_entry("/scim/v2/Users/conflicting", status=409, scim_type="uniqueness")
    log_entry("/scim/v2/Users/fine", status=200)
    response = admin_client.get(
        reverse("admin:django_scim_provisioninglog_changelist"), {"status": "409"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "/scim/v2/Users/conflicting" in content
    assert "/scim/v2/Users/fine" not in content


def test_log_changelist_filters_by_resource_type(admin_client):
    """Filtering by resource type separates User from Group traffic."""
    log_entry("/scim/v2/Users/someone", resource_type="User")
    log_entry("/scim/v2/Groups/some-group", resource_type="Group")
    response = admin_client.get(
        reverse("admin:django_scim_provisioninglog_changelist"), {"resource_type": "User"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "/scim/v2/Users/someone" in content
    assert "/scim/v2/Groups/some-group" not in content


def test_log_changelist_search_matches_path_id_and_client(admin_client):
    """Search covers resource id and client name (search_fields)."""
    log_entry("/scim/v2/Users/a", resource_id="id-findme", client_name="Okta")
    log_entry("/scim/v2/Users/b", resource_id="id-other", client_name="Entra ID")
    url = reverse("admin:django_scim_provisioninglog_changelist")
    by_id = admin_client.get(url, {"q": "findme"}).content.decode()
    assert "/scim/v2/Users/a" in by_id and "/scim/v2/Users/b" not in by_id
    by_client = admin_client.get(url, {"q": "Entra"}).content.decode()
    assert "/scim/v2/Users/b" in by_client and "/scim/v2/Users/a" not in by_client


def test_log_detail_shows_pretty_printed_json(admin_client):
    """Bodies are stored compact; the detail page indents them for reading."""
    entry = log_entry(
        "/scim/v2/Users", request_body='{"userName":"bjensen","active":true}', response_body=""
    )
    response = admin_client.get(
        reverse("admin:django_scim_provisioninglog_change", args=[entry.pk])
    )
    assert response.status_code == 200
    content = response.content.decode()
    expected = "{\n  &quot;userName&quot;: &quot;bjensen&quot;,\n  &quot;active&quot;: true\n}"
    assert expected in content


def test_log_detail_shows_unparseable_body_as_text(admin_client):
    """A body that was not JSON (or was cut) is shown as stored, escaped."""
    entry = log_entry("/scim/v2/Users", request_body='{"userName": <b>')
    response = admin_client.get(
        reverse("admin:django_scim_provisioninglog_change", args=[entry.pk])
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "{&quot;userName&quot;: &lt;b&gt;" in content
    assert '{"userName": <b>' not in content


def test_log_has_no_add_page(admin_client):
    """Audit entries come only from requests: the add view is forbidden."""
    response = admin_client.get(reverse("admin:django_scim_provisioninglog_add"))
    assert response.status_code == 403


def test_log_entry_cannot_be_changed(admin_client):
    """Posting to an entry's page changes nothing (view-only)."""
    entry = log_entry("/scim/v2/Users/original", status=201)
    response = admin_client.post(
        reverse("admin:django_scim_provisioninglog_change", args=[entry.pk]),
        {"path": "/tampered", "status": "200", "method": "GET", "duration_ms": "0"},
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.path, entry.status) == ("/scim/v2/Users/original", 201)
