"""Client authentication: per-client bearer tokens (RFC 7644 §2; RFC 6750).

RFC 7644 §2 leaves the mechanism to the provider and names OAuth bearer
tokens (RFC 6750) as the common one. Tokens are stored only as digests, use is
recorded on the client without a write on every request, and the
authentication classes are a setting a site can replace.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from django_scim.models import ProvisioningLog, SCIMClient
from tests.conftest import SCIMTestClient, body
from tests.factories import SCIMClientFactory

CLIENT_TABLE = SCIMClient._meta.db_table


class HeaderAuth(BaseAuthentication):
    """Test-only authentication: ``X-Test-Client: <client name>`` names an active client."""

    def authenticate(self, request):
        name = request.META.get("HTTP_X_TEST_CLIENT")
        if not name:
            return None
        client = SCIMClient.objects.filter(name=name, is_active=True).first()
        if client is None:
            raise AuthenticationFailed("Unknown test client.")
        return client, client

    def authenticate_header(self, request):
        return 'X-Test-Client realm="tests"'


def with_header(value: str) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


def client_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and CLIENT_TABLE in q["sql"]]


# -- the scheme ----------------------------------------------------------------------


def test_lowercase_bearer_scheme_is_accepted(scim_client_record):
    """RFC 7235 §2.1: the auth-scheme is case-insensitive, so ``bearer <token>`` works."""
    response = with_header(f"bearer {scim_client_record.raw_token}").get("Users")
    assert response.status_code == 200


def test_uppercase_bearer_scheme_is_accepted(scim_client_record):
    """RFC 7235 §2.1: ``BEARER <token>`` is the same scheme."""
    response = with_header(f"BEARER {scim_client_record.raw_token}").get("Users")
    assert response.status_code == 200


def test_token_is_case_sensitive(scim_client_record):
    """RFC 6750 §2.1: only the scheme is case-insensitive; the token itself is compared
    exactly."""
    response = with_header(f"Bearer {scim_client_record.raw_token.upper()}").get("Users")
    assert response.status_code == 401


def test_token_that_is_not_utf8_is_401(db):
    """A token with bytes that are not UTF-8 is a failed authentication (401), not a 500."""
    response = with_header("Bearer \xff\xfe\xfd-not-utf8").get("Users")
    assert response.status_code == 401
    assert body(response)["status"] == "401"


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer wrong-token-0123456789abcdef", "Basic dXNlcjpwYXNzd29yZA=="]
)
def test_401_carries_bearer_www_authenticate_challenge(db, header):
    """RFC 6750 §3 / RFC 7235 §3.1: every 401 carries the challenge
    ``WWW-Authenticate: Bearer realm="SCIM"``."""
    client = SCIMTestClient() if header is None else with_header(header)
    response = client.get("Users")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'


def test_successful_response_has_no_challenge(scim):
    """RFC 7235 §4.1: the challenge belongs to 401 responses only."""
    response = scim.get("Users")
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response


# -- the client record -------------------------------------------------------------


def test_inactive_client_is_401(scim, scim_client_record):
    """RFC 7644 §2: a client that was working stops authenticating once deactivated."""
    assert scim.get("Users").status_code == 200
    SCIMClient.objects.filter(pk=scim_client_record.pk).update(is_active=False)
    response = scim.get("Users")
    assert response.status_code == 401
    assert body(response)["status"] == "401"


def test_last_used_is_set_on_first_use(scim, scim_client_record):
    """An administrator can see when a client last called (token hygiene, RFC 6819 §5.1.5.3)."""
    assert scim_client_record.last_used is None
    before = timezone.now()
    scim.get("ServiceProviderConfig")
    scim_client_record.refresh_from_db()
    assert scim_client_record.last_used is not None
    assert before <= scim_client_record.last_used <= timezone.now()


def test_first_use_writes_last_used_with_one_update(scim):
    """Recording use costs one UPDATE, no extra read."""
    with CaptureQueriesContext(connection) as queries:
        assert scim.get("ServiceProviderConfig").status_code == 200
    assert len(client_updates(queries.captured_queries)) == 1


def test_last_used_is_not_rewritten_within_precision(scim, scim_client_record):
    """Within LAST_USED_PRECISION seconds (default 60) a request writes nothing to the
    client row: a busy IdP must not turn every read into a write."""
    scim.get("ServiceProviderConfig")
    scim_client_record.refresh_from_db()
    first = scim_client_record.last_used
    with CaptureQueriesContext(connection) as queries:
        assert scim.get("ServiceProviderConfig").status_code == 200
    assert client_updates(queries.captured_queries) == []
    scim_client_record.refresh_from_db()
    assert scim_client_record.last_used == first


def test_last_used_is_rewritten_once_precision_has_passed(scim, scim_client_record):
    """After LAST_USED_PRECISION seconds the next request records use again."""
    old = timezone.now() - timedelta(seconds=61)
    SCIMClient.objects.filter(pk=scim_client_record.pk).update(last_used=old)
    with CaptureQueriesContext(connection) as queries:
        scim.get("ServiceProviderConfig")
    assert len(client_updates(queries.captured_queries)) == 1
    scim_client_record.refresh_from_db()
    assert scim_client_record.last_used > old


def test_zero_precision_writes_last_used_on_every_request(scim, settings):
    """LAST_USED_PRECISION 0 records every request."""
    settings.SCIM = {"LAST_USED_PRECISION": 0}
    scim.get("ServiceProviderConfig")
    with CaptureQueriesContext(connection) as queries:
        scim.get("ServiceProviderConfig")
    assert len(client_updates(queries.captured_queries)) == 1


def test_failed_authentication_does_not_touch_last_used(scim_client_record):
    """A wrong token changes no client row."""
    with CaptureQueriesContext(connection) as queries:
        assert with_header("Bearer wrong-token-0123456789abcdef").get("Users").status_code == 401
    assert client_updates(queries.captured_queries) == []
    scim_client_record.refresh_from_db()
    assert scim_client_record.last_used is None


def test_token_is_stored_only_as_its_digest(db):
    """RFC 6819 §5.1.4.1.3: credentials are not stored in clear; the row holds the
    SHA-256 digest and a short display prefix, never the token."""
    raw = "scim_a-very-secret-token-value-0123456789"
    record = SCIMClientFactory(name="Digest IdP", raw_token=raw)
    row = SCIMClient.objects.filter(pk=record.pk).values().get()
    assert row["token_digest"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["token_prefix"] == raw[:12]
    assert all(raw not in str(value) for value in row.values())


def test_generated_token_is_stored_only_as_its_digest(db):
    """``set_token()`` returns the raw token once; the model keeps only its digest."""
    client = SCIMClient(name="Generated IdP")
    raw = client.set_token()
    client.save()
    row = SCIMClient.objects.filter(pk=client.pk).values().get()
    assert row["token_digest"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in row.values())


# -- replaceable authentication ----------------------------------------------------


@pytest.fixture
def header_auth(settings):
    settings.SCIM = {"AUTHENTICATION_CLASSES": ["tests.protocol.test_auth.HeaderAuth"]}


def test_custom_authentication_class_is_used(header_auth, scim_client_record):
    """SCIM["AUTHENTICATION_CLASSES"] replaces bearer tokens (RFC 7644 §2 leaves the
    mechanism to the provider): the site's class authenticates the request."""
    client = SCIMTestClient()
    client.credentials(HTTP_X_TEST_CLIENT=scim_client_record.name)
    response = client.get("Users")
    assert response.status_code == 200
    assert body(response)["totalResults"] == 0


def test_custom_authentication_class_client_is_the_request_client(header_auth, scim_client_record):
    """The client the site's class returns is the one the request is logged under."""
    client = SCIMTestClient()
    client.credentials(HTTP_X_TEST_CLIENT=scim_client_record.name)
    client.get("ServiceProviderConfig")
    entry = ProvisioningLog.objects.get()
    assert entry.client == scim_client_record
    assert entry.client_name == scim_client_record.name


def test_bearer_token_is_refused_when_not_configured(header_auth, scim):
    """With only the custom class configured, a valid bearer token authenticates nothing:
    401 with the custom class's challenge (RFC 7235 §3.1)."""
    response = scim.get("Users")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'X-Test-Client realm="tests"'


def test_custom_authentication_class_failure_is_401(header_auth, db):
    """A failure raised by the site's class is a SCIM 401 (RFC 7644 §3.12)."""
    client = SCIMTestClient()
    client.credentials(HTTP_X_TEST_CLIENT="No Such Client")
    response = client.get("Users")
    assert response.status_code == 401
    assert body(response)["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
