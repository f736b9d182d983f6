"""Every error is a SCIM Error message (RFC 7644 §3.12).

An error body carries ``schemas`` [urn:ietf:params:scim:api:messages:2.0:Error],
``status`` as a JSON *string* equal to the HTTP status, a ``detail`` for humans
and, for 400/409 errors, a ``scimType`` from Table 9; it is sent as
``application/scim+json`` (RFC 7644 §3.1, §8.1). Whatever fails — DRF's own
exceptions, Django's 404, the database, a bug — the client sees that shape and
never a stack trace or a database message.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError

from django_scim.adapters.fields import Column
from django_scim.adapters.users import UserAdapter
from django_scim.models import ResourceRecord
from django_scim.storage import records
from tests.conftest import SCIMTestClient, body
from tests.factories import SCIMClientFactory, UserFactory

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
#: Text that must never reach a client: stack traces and database messages.
LEAKS = ("Traceback", 'File "', "UNIQUE constraint", "duplicate key", "IntegrityError")

User = get_user_model()


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    """The response is a SCIM Error (RFC 7644 §3.12) with this status and scimType."""
    assert response.status_code == status
    assert response["Content-Type"] == "application/scim+json"
    data = body(response)
    assert data["schemas"] == [ERROR]
    assert data["status"] == str(status)
    assert isinstance(data["detail"], str) and data["detail"]
    if scim_type is None:
        assert "scimType" not in data
    else:
        assert data["scimType"] == scim_type
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text
    return data


def new_user(scim, user_name: str = "bjensen") -> str:
    response = scim.post("Users", {"schemas": [USER], "userName": user_name})
    assert response.status_code == 201
    return body(response)["id"]


def nested_body(levels: int) -> dict:
    """A User body whose JSON nesting (objects and arrays) is exactly ``levels`` deep."""
    inner: dict = {"leaf": "x"}
    for _ in range(levels - 2):
        inner = {"n": inner}
    return {"schemas": [USER], "userName": "deep", "extra": inner}


def with_header(value: str) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


# -- 401 ---------------------------------------------------------------------------


def test_missing_authorization_header_is_401(anonymous):
    """RFC 7644 §2: requests without credentials are refused with 401."""
    assert_scim_error(anonymous.get("Users"), 401)


def test_unknown_bearer_token_is_401(db):
    """RFC 6750 §3.1 invalid_token: a token no client holds gets 401."""
    response = with_header("Bearer scim_no-such-token-0123456789").get("Users")
    assert_scim_error(response, 401)


def test_revoked_client_token_is_401(db):
    """RFC 7644 §2: a revoked (inactive) client's token no longer authenticates."""
    record = SCIMClientFactory(name="Revoked IdP", is_active=False)
    assert_scim_error(with_header(f"Bearer {record.raw_token}").get("Users"), 401)


def test_bearer_scheme_without_token_is_401(db):
    """RFC 6750 §2.1: ``Bearer`` alone is a malformed credential, not anonymous access."""
    assert_scim_error(with_header("Bearer").get("Users"), 401)


def test_bearer_with_extra_parts_is_401(scim_client_record):
    """RFC 6750 §2.1: the credential is one token; ``Bearer <token> extra`` is malformed."""
    response = with_header(f"Bearer {scim_client_record.raw_token} extra").get("Users")
    assert_scim_error(response, 401)


def test_non_bearer_scheme_is_401(db):
    """RFC 7644 §2: only bearer tokens are accepted; Basic credentials get 401."""
    assert_scim_error(with_header("Basic dXNlcjpwYXNzd29yZA==").get("Users"), 401)


# -- 403 ---------------------------------------------------------------------------


def test_read_only_client_cannot_create(read_only_scim):
    """RFC 7644 §3.12: 403 when the client may not perform the operation; nothing is created."""
    before = User.objects.count()
    response = read_only_scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert_scim_error(response, 403)
    assert User.objects.count() == before


def test_read_only_client_cannot_replace(scim, read_only_scim):
    """RFC 7644 §3.12: a read-only client's PUT is 403 and the resource is unchanged."""
    user_id = new_user(scim)
    response = read_only_scim.put(
        f"Users/{user_id}", {"schemas": [USER], "userName": "someone-else"}
    )
    assert_scim_error(response, 403)
    assert User.objects.filter(username="bjensen").exists()
    assert not User.objects.filter(username="someone-else").exists()


def test_read_only_client_cannot_delete(scim, read_only_scim):
    """RFC 7644 §3.12: a read-only client's DELETE is 403 and the resource stays."""
    user_id = new_user(scim)
    assert_scim_error(read_only_scim.delete(f"Users/{user_id}"), 403)
    assert scim.get(f"Users/{user_id}").status_code == 200


def test_read_only_client_can_list_and_read(scim, read_only_scim):
    """Read scope covers GET (RFC 7644 §3.4.1, §3.4.2)."""
    user_id = new_user(scim)
    listed = read_only_scim.get("Users")
    assert listed.status_code == 200
    assert [r["id"] for r in body(listed)["Resources"]] == [user_id]
    read = read_only_scim.get(f"Users/{user_id}")
    assert read.status_code == 200
    assert body(read)["userName"] == "bjensen"


def test_read_only_client_can_search_with_post(scim, read_only_scim):
    """POST /.search only reads (RFC 7644 §3.4.3), so read scope allows it."""
    new_user(scim)
    response = read_only_scim.post("Users/.search", {"schemas": [SEARCH_REQUEST]})
    assert response.status_code == 200
    assert body(response)["totalResults"] == 1


# -- 404 ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["Foo/bar/baz", "Users/a/b/c", "Schemas/a/b"])
def test_unknown_url_under_prefix_is_scim_404(scim, path):
    """RFC 7644 §3.12: any URL under the SCIM prefix that names no endpoint is a SCIM 404,
    never Django's HTML page."""
    assert_scim_error(scim.get(path), 404)


def test_unknown_resource_endpoint_is_404(scim):
    """RFC 7644 §3.12: a resource type that is not served (``/Foo``) is 404."""
    assert_scim_error(scim.get("Foo"), 404)


def test_unknown_resource_id_is_404(scim):
    """RFC 7644 §3.4.1: GET of an id that does not exist is 404."""
    assert_scim_error(scim.get(f"Users/{uuid.uuid4()}"), 404)


def test_malformed_resource_id_is_404(scim):
    """An id that cannot be one of ours is simply not found (RFC 7644 §3.12), not a 400/500."""
    assert_scim_error(scim.get("Users/not-a-uuid"), 404)


def test_delete_of_unknown_id_is_404(scim):
    """RFC 7644 §3.6: DELETE of a resource that does not exist is 404."""
    assert_scim_error(scim.delete(f"Users/{uuid.uuid4()}"), 404)


def test_unknown_schema_is_404(scim):
    """RFC 7644 §4: /Schemas/{id} of an unknown URN is 404."""
    assert_scim_error(scim.get("Schemas/urn:example:no-such-schema"), 404)


def test_unknown_resource_type_is_404(scim):
    """RFC 7644 §4: /ResourceTypes/{name} of an unknown name is 404."""
    assert_scim_error(scim.get("ResourceTypes/Printer"), 404)


def test_404_is_scim_json_even_when_html_is_accepted(scim):
    """RFC 7644 §3.1/§8.1: responses are application/scim+json whatever Accept says."""
    response = scim.get("Foo/bar/baz", HTTP_ACCEPT="text/html")
    assert_scim_error(response, 404)


# -- 405 ---------------------------------------------------------------------------


def test_delete_on_collection_is_405(scim):
    """RFC 7644 §3.12: a method the endpoint does not support (DELETE /Users) is 405."""
    new_user(scim)
    assert_scim_error(scim.delete("Users"), 405)
    assert User.objects.filter(username="bjensen").exists()


def test_put_on_service_provider_config_is_405(scim):
    """RFC 7644 §4: discovery endpoints are read-only; PUT is 405."""
    assert_scim_error(scim.put("ServiceProviderConfig", {"schemas": []}), 405)


# -- 413 ---------------------------------------------------------------------------


def test_body_larger_than_max_body_bytes_is_413(scim, settings):
    """RFC 7644 §3.12 lists 413 for a payload over the server's limit (MAX_BODY_BYTES)."""
    settings.SCIM = {"MAX_BODY_BYTES": 1000}
    payload = {"schemas": [USER], "userName": "bjensen", "displayName": "x" * 2000}
    before = User.objects.count()
    assert_scim_error(scim.post("Users", payload), 413)
    assert User.objects.count() == before


def test_declared_content_length_over_limit_is_413(scim, settings):
    """A Content-Length above MAX_BODY_BYTES is refused (413) before the body is read,
    even when fewer bytes actually arrive."""
    settings.SCIM = {"MAX_BODY_BYTES": 1000}
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"}, CONTENT_LENGTH="5000")
    assert_scim_error(response, 413)


def test_body_of_exactly_max_body_bytes_is_accepted(scim, settings):
    """The limit is inclusive: a body of exactly MAX_BODY_BYTES is processed (201)."""
    settings.SCIM = {"MAX_BODY_BYTES": 1000}
    payload = {"schemas": [USER], "userName": "bjensen", "displayName": ""}
    payload["displayName"] = "x" * (1000 - len(json.dumps(payload)))
    raw = json.dumps(payload)
    assert len(raw.encode()) == 1000
    assert scim.post("Users", raw).status_code == 201


# -- 415 ---------------------------------------------------------------------------


def test_text_plain_body_is_415(scim):
    """RFC 7644 §3.1/§8.1: request bodies are application/scim+json (or application/json);
    anything else is 415 Unsupported Media Type, and nothing is created."""
    before = User.objects.count()
    response = scim.post(
        "Users", json.dumps({"schemas": [USER], "userName": "bjensen"}), content_type="text/plain"
    )
    assert_scim_error(response, 415)
    assert User.objects.count() == before


def test_plain_application_json_is_accepted(scim):
    """RFC 7644 §8.1: application/json is accepted as well as application/scim+json."""
    response = scim.post(
        "Users",
        json.dumps({"schemas": [USER], "userName": "bjensen"}),
        content_type="application/json",
    )
    assert response.status_code == 201


# -- 400 invalidSyntax -------------------------------------------------------------


def test_malformed_json_is_400_invalid_syntax(scim):
    """RFC 7644 §3.12: a body that does not parse is 400 invalidSyntax."""
    before = User.objects.count()
    assert_scim_error(scim.post("Users", '{"userName": "bjensen",'), 400, "invalidSyntax")
    assert User.objects.count() == before


def test_json_array_body_is_400_invalid_syntax(scim):
    """RFC 7644 §3.3: a resource is a JSON object; an array is 400 invalidSyntax."""
    payload = [{"schemas": [USER], "userName": "bjensen"}]
    assert_scim_error(scim.post("Users", payload), 400, "invalidSyntax")
    assert not User.objects.filter(username="bjensen").exists()


def test_json_scalar_body_is_400_invalid_syntax(scim):
    """RFC 7644 §3.3: a JSON string is not a resource: 400 invalidSyntax."""
    assert_scim_error(scim.post("Users", '"bjensen"'), 400, "invalidSyntax")


def test_empty_body_is_400_invalid_syntax(scim):
    """RFC 7644 §3.3/§3.12: POST needs a resource; an empty body is 400 invalidSyntax."""
    assert_scim_error(scim.post("Users", ""), 400, "invalidSyntax")


def test_whitespace_only_body_is_400_invalid_syntax(scim):
    """RFC 7644 §3.12: a body of only whitespace holds no JSON: 400 invalidSyntax."""
    assert_scim_error(scim.post("Users", "   \n "), 400, "invalidSyntax")


def test_json_at_max_depth_is_accepted(scim):
    """MAX_JSON_DEPTH (32) is inclusive: a body nested exactly 32 deep is processed."""
    assert scim.post("Users", nested_body(32)).status_code == 201


def test_json_one_level_deeper_than_max_depth_is_400_invalid_syntax(scim):
    """Nesting over MAX_JSON_DEPTH is refused as invalidSyntax (RFC 7644 §3.12)."""
    assert_scim_error(scim.post("Users", nested_body(33)), 400, "invalidSyntax")


def test_json_40_levels_deep_is_400_invalid_syntax(scim):
    """40 levels is over the default MAX_JSON_DEPTH of 32: 400 invalidSyntax, nothing created."""
    before = User.objects.count()
    assert_scim_error(scim.post("Users", nested_body(40)), 400, "invalidSyntax")
    assert User.objects.count() == before


def test_json_200_levels_deep_is_400_not_a_crash(scim):
    """A hostile 200-level body is a 400 invalidSyntax, not a 500 or a RecursionError."""
    assert_scim_error(scim.post("Users", nested_body(200)), 400, "invalidSyntax")


def test_max_json_depth_setting_is_honoured(scim, settings):
    """Lowering MAX_JSON_DEPTH applies at once: a 5-deep body is refused at a limit of 4."""
    settings.SCIM = {"MAX_JSON_DEPTH": 4}
    assert_scim_error(scim.post("Users", nested_body(5)), 400, "invalidSyntax")


def test_put_with_malformed_json_leaves_resource_unchanged(scim):
    """RFC 7644 §3.12: a PUT whose body does not parse is 400 invalidSyntax and changes nothing."""
    user_id = new_user(scim)
    response = scim.put(f"Users/{user_id}", '{"userName": "other"')
    assert_scim_error(response, 400, "invalidSyntax")
    assert body(scim.get(f"Users/{user_id}"))["userName"] == "bjensen"


# -- 400 invalidFilter -------------------------------------------------------------


def test_malformed_filter_is_400_invalid_filter(scim):
    """RFC 7644 §3.4.2.2/§3.12: a filter that does not parse is 400 invalidFilter."""
    assert_scim_error(scim.get("Users", {"filter": "userName eq"}), 400, "invalidFilter")


def test_empty_filter_is_400_invalid_filter(scim):
    """RFC 7644 §3.4.2.2: ``filter=`` with no expression is not a valid filter."""
    assert_scim_error(scim.get("Users", {"filter": ""}), 400, "invalidFilter")


def test_filter_on_unknown_attribute_is_400_invalid_filter(scim):
    """RFC 7644 §3.12: invalidFilter also covers an attribute the resource type lacks."""
    response = scim.get("Users", {"filter": 'shoeSize eq "42"'})
    assert_scim_error(response, 400, "invalidFilter")


def test_valid_filter_is_a_list_response(scim):
    """A well-formed filter answers a ListResponse (RFC 7644 §3.4.2), here with one match."""
    new_user(scim, "bjensen")
    new_user(scim, "jsmith")
    response = scim.get("Users", {"filter": 'userName eq "bjensen"'})
    assert response.status_code == 200
    data = body(response)
    assert data["schemas"] == [LIST_RESPONSE]
    assert data["totalResults"] == 1
    assert data["Resources"][0]["userName"] == "bjensen"


# -- 501 ---------------------------------------------------------------------------


def assert_unsupported_or_handled(response) -> None:
    """501 with a SCIM body while unsupported; if implemented later, never another 5xx,
    and any error still a SCIM Error (RFC 7644 §3.12)."""
    assert response.status_code == 501 or response.status_code < 500
    if response.status_code >= 400:
        assert_scim_error(response, response.status_code, body(response).get("scimType"))


def test_bulk_is_501_or_handled(scim):
    """RFC 7644 §3.7: bulk is optional; ServiceProviderConfig says bulk.supported=false."""
    response = scim.post(
        "Bulk", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}
    )
    assert_unsupported_or_handled(response)


def test_bulk_answer_matches_service_provider_config(scim):
    """RFC 7644 §5: ServiceProviderConfig bulk.supported tells clients whether /Bulk works;
    while it says false, POST /Bulk answers 501 Not Implemented."""
    supported = body(scim.get("ServiceProviderConfig"))["bulk"]["supported"]
    response = scim.post(
        "Bulk", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}
    )
    if supported:
        assert response.status_code != 501
    else:
        assert_scim_error(response, 501)


def test_me_is_501_or_handled(scim):
    """RFC 7644 §3.11: /Me is optional; a provider without it answers 501."""
    assert_unsupported_or_handled(scim.get("Me"))


def test_patch_is_501_or_handled(scim):
    """RFC 7644 §3.5.2: PATCH is optional (ServiceProviderConfig patch.supported)."""
    user_id = new_user(scim)
    response = scim.patch(
        f"Users/{user_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Babs"}],
        },
    )
    assert_unsupported_or_handled(response)


def test_patch_answer_matches_service_provider_config(scim):
    """RFC 7644 §5: patch.supported in ServiceProviderConfig must match what PATCH does —
    supported means no 501; unsupported means 501 and the resource unchanged."""
    supported = body(scim.get("ServiceProviderConfig"))["patch"]["supported"]
    user_id = new_user(scim)
    response = scim.patch(
        f"Users/{user_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Babs"}],
        },
    )
    if supported:
        assert response.status_code != 501
    else:
        assert_scim_error(response, 501)
        assert "displayName" not in body(scim.get(f"Users/{user_id}"))


# -- no leaks, no partial writes, server failures -----------------------------------


def test_duplicate_user_name_is_409_uniqueness_and_adds_nothing(scim):
    """RFC 7644 §3.3: a duplicate unique attribute is 409 with scimType uniqueness;
    the failed create adds no user and no SCIM record."""
    new_user(scim)
    users, records_before = User.objects.count(), ResourceRecord.objects.count()
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert_scim_error(response, 409, "uniqueness")
    assert (User.objects.count(), ResourceRecord.objects.count()) == (users, records_before)


def test_database_unique_violation_is_409_without_database_text(scim, monkeypatch):
    """When only the database catches a duplicate (a race past the application check),
    the answer is still 409 uniqueness (RFC 7644 §3.3) and the detail names no SQL."""
    UserFactory(username="bjensen")
    monkeypatch.setattr(Column, "check_unique", lambda *args, **kwargs: None)
    users, records_before = User.objects.count(), ResourceRecord.objects.count()
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert_scim_error(response, 409, "uniqueness")
    assert (User.objects.count(), ResourceRecord.objects.count()) == (users, records_before)


def test_failure_midway_through_a_create_leaves_no_rows(scim, monkeypatch):
    """A create is atomic: when it fails after the user row was written, the user and its
    SCIM record are rolled back, and the client gets a SCIM 500."""

    def fail(*args, **kwargs):
        raise RuntimeError("element rows could not be written")

    monkeypatch.setattr(records, "replace_elements", fail)
    users, records_before = User.objects.count(), ResourceRecord.objects.count()
    response = scim.post(
        "Users", {"schemas": [USER], "userName": "bjensen", "emails": [{"value": "b@example.test"}]}
    )
    assert_scim_error(response, 500)
    assert (User.objects.count(), ResourceRecord.objects.count()) == (users, records_before)


def test_database_unavailable_is_503(scim, monkeypatch):
    """A lost database connection is transient: 503 with a SCIM body (RFC 7644 §3.12 allows
    any HTTP status), without the driver's message."""

    def unavailable(self):
        raise OperationalError("could not connect to server at db-secret-host:5432")

    monkeypatch.setattr(UserAdapter, "get_queryset", unavailable)
    data = assert_scim_error(scim.get("Users"), 503)
    assert "db-secret-host" not in data["detail"]


def test_unexpected_exception_is_500_without_its_text(scim, monkeypatch):
    """A bug still answers a SCIM Error (RFC 7644 §3.12) with status "500", and the
    exception's message (which may hold internals) is not sent."""

    def broken(self):
        raise RuntimeError("internal secret: cache key xyz-123")

    monkeypatch.setattr(UserAdapter, "get_queryset", broken)
    response = scim.get("Users")
    data = assert_scim_error(response, 500)
    assert "xyz-123" not in response.content.decode()
    assert "RuntimeError" not in data["detail"]


# -- Django's own request errors ----------------------------------------------------


def test_host_outside_allowed_hosts_is_400_not_500(scim, settings, caplog):
    """A Host header outside ALLOWED_HOSTS is Django's ``DisallowedHost``, a
    ``SuspiciousOperation``: Django answers such requests 400, and so does SCIM, with an
    Error body (RFC 7644 §3.12), also on a site without CommonMiddleware (which would
    otherwise catch it before the view); Django's security logger hears of it."""
    settings.ALLOWED_HOSTS = ["scim.example.test"]
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "django.middleware.common.CommonMiddleware"
    ]
    with caplog.at_level("ERROR", logger="django.security.DisallowedHost"):
        response = scim.get("Users", HTTP_HOST="attacker.example.test")
    data = assert_scim_error(response, 400)
    assert "scimType" not in data
    assert any(r.name == "django.security.DisallowedHost" for r in caplog.records)


def test_suspicious_operation_in_a_hook_is_400(scim, monkeypatch):
    """Any ``SuspiciousOperation`` a site's hook raises keeps Django's meaning: 400."""
    from django.core.exceptions import SuspiciousOperation

    def suspicious(self):
        raise SuspiciousOperation("tampered session")

    monkeypatch.setattr(UserAdapter, "get_queryset", suspicious)
    assert_scim_error(scim.get("Users"), 400)
