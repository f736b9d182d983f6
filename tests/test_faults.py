"""Faults and limits: the database going away, oversized and hostile requests.

A lost database is transient: the answer is 503 with a SCIM Error body (RFC 7644
§3.12 allows any HTTP status code), nothing is half-written, and the next request
succeeds. Oversized bodies get 413, over-deep JSON and malformed bodies 400
invalidSyntax, over-long and over-deep filters 400 invalidFilter.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.db import connections as db_connections

from django_scim.adapters.groups import GroupAdapter
from django_scim.adapters.users import UserAdapter
from django_scim.adapters.writer import Writer
from django_scim.models import ResourceRecord
from django_scim.storage import relations
from tests.conftest import assert_scim_error, body

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SCIM_JSON = "application/scim+json"

User = get_user_model()


def new_user(scim, user_name: str = "bjensen") -> str:
    response = scim.post("Users", {"schemas": [USER], "userName": user_name})
    assert response.status_code == 201, response.content
    return body(response)["id"]


def state() -> tuple:
    return (
        sorted(User.objects.values_list("username", "is_active")),
        sorted(Group.objects.values_list("name", flat=True)),
        sorted(ResourceRecord.objects.values_list("resource_type", "object_pk")),
    )


def unavailable(*args, **kwargs):
    raise OperationalError("could not connect to server: db-host:5432 refused")


# -- the database goes away ---------------------------------------------------------------


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_lost_database_on_read_is_503_then_next_request_succeeds(scim, monkeypatch, error):
    """A database that is unreachable for one request answers 503 Service Unavailable
    with a SCIM Error body (RFC 7644 §3.12: "any HTTP status code"), without the driver's
    message; once it is back, the next request is served normally."""
    new_user(scim)

    def fail(self):
        raise error("connection already closed (db-host)")

    monkeypatch.setattr(UserAdapter, "get_queryset", fail)
    assert_scim_error(scim.get("Users"), 503)
    monkeypatch.undo()
    response = scim.get("Users")
    assert response.status_code == 200
    assert body(response)["totalResults"] == 1


def test_lost_database_on_read_of_one_resource_is_503(scim, monkeypatch):
    """GET /Users/{id} with the database gone: 503, SCIM body; then 200 again."""
    user_id = new_user(scim)
    monkeypatch.setattr(UserAdapter, "get_queryset", unavailable)
    assert_scim_error(scim.get(f"Users/{user_id}"), 503)
    monkeypatch.undo()
    assert scim.get(f"Users/{user_id}").status_code == 200


def test_lost_database_during_create_is_503_and_writes_nothing(scim, monkeypatch):
    """The side row cannot be written: 503, and the create is atomic (RFC 7644 §3.3 creates
    a resource or nothing), so no user is left behind; a retry then succeeds."""
    before = state()
    monkeypatch.setattr(Writer, "_write_record", unavailable)  # the side row's INSERT
    assert_scim_error(scim.post("Users", {"userName": "bjensen"}), 503)
    assert state() == before
    monkeypatch.undo()
    assert scim.post("Users", {"userName": "bjensen"}).status_code == 201


def test_lost_database_during_replace_is_503_and_changes_nothing(scim, monkeypatch):
    """A PUT (RFC 7644 §3.5.1) cut short by the database answers 503 and leaves the
    resource as it was."""
    user_id = new_user(scim)
    monkeypatch.setattr(Writer, "_write_record", unavailable)  # the side row's UPDATE
    response = scim.put(f"Users/{user_id}", {"userName": "renamed"})
    assert_scim_error(response, 503)
    monkeypatch.undo()
    assert body(scim.get(f"Users/{user_id}"))["userName"] == "bjensen"


def test_lost_database_during_group_patch_is_503_and_keeps_members(scim, monkeypatch):
    """A PATCH (RFC 7644 §3.5.2) is all or nothing: when the database fails midway the
    answer is 503 and the members are unchanged."""
    alice, bob = new_user(scim, "alice"), new_user(scim, "bob")
    group_id = body(scim.post("Groups", {"displayName": "G", "members": [{"value": alice}]}))["id"]
    monkeypatch.setattr(relations, "resolve", unavailable)
    response = scim.patch(
        f"Groups/{group_id}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "replace", "path": "displayName", "value": "H"},
                {"op": "add", "path": "members", "value": [{"value": bob}]},
            ],
        },
    )
    assert_scim_error(response, 503)
    monkeypatch.undo()
    group = body(scim.get(f"Groups/{group_id}"))
    assert group["displayName"] == "G"
    assert [m["value"] for m in group["members"]] == [alice]


def test_lost_database_in_search_is_503(scim, monkeypatch):
    """POST /.search across types (RFC 7644 §3.4.3) with the database gone: 503."""
    monkeypatch.setattr(GroupAdapter, "get_queryset", unavailable)
    assert_scim_error(scim.post(".search", {"schemas": [SEARCH]}), 503)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_backend_terminated_mid_request_is_503_then_next_request_succeeds(scim, monkeypatch):
    """The PostgreSQL backend serving the request is killed (pg_terminate_backend from
    another connection) after authentication, before the query: the client gets 503 with a
    SCIM body; after the request ends (when Django drops unusable connections) the next
    request reconnects and succeeds."""
    new_user(scim)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    original = UserAdapter.get_queryset

    def terminate_then_query(self):
        killer = db_connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            killer.close()
        return original(self)

    monkeypatch.setattr(UserAdapter, "get_queryset", terminate_then_query)
    assert_scim_error(scim.get("Users"), 503)
    monkeypatch.undo()
    close_old_connections()  # what the request_finished signal does after each request
    response = scim.get("Users")
    assert response.status_code == 200, response.content
    assert [r["userName"] for r in body(response)["Resources"]] == ["bjensen"]


# -- body size (MAX_BODY_BYTES) ------------------------------------------------------------


def padded(size: int) -> str:
    """A User body of exactly ``size`` bytes."""
    doc = {"schemas": [USER], "userName": "bjensen", "displayName": ""}
    doc["displayName"] = "x" * (size - len(json.dumps(doc)))
    text = json.dumps(doc)
    assert len(text.encode()) == size
    return text


def test_body_over_max_body_bytes_is_413(scim, settings):
    """RFC 7231 §6.5.11: 413 Payload Too Large for a body over MAX_BODY_BYTES, as a SCIM
    Error, and nothing is created."""
    settings.SCIM = {"MAX_BODY_BYTES": 2000}
    assert_scim_error(scim.post("Users", padded(2001)), 413)
    assert not User.objects.exists()


def test_body_at_max_body_bytes_is_accepted(scim, settings):
    """The limit is inclusive: a body of exactly MAX_BODY_BYTES is served."""
    settings.SCIM = {"MAX_BODY_BYTES": 2000}
    assert scim.post("Users", padded(2000)).status_code == 201


def test_default_limit_is_one_megabyte(scim):
    """MAX_BODY_BYTES defaults to 1 MiB (docs/settings.md): a 1 MiB + 1 byte body is 413."""
    assert_scim_error(scim.post("Users", padded(1024 * 1024 + 1)), 413)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_oversized_put_and_patch_are_413_and_change_nothing(scim, settings, method):
    """413 applies to every method with a body; the resource is unchanged."""
    user_id = new_user(scim)
    settings.SCIM = {"MAX_BODY_BYTES": 500}
    big = {
        "schemas": [PATCH_OP],
        "userName": "renamed",
        "Operations": [{"op": "replace", "path": "userName", "value": "renamed"}],
        "pad": "x" * 600,
    }
    assert_scim_error(getattr(scim, method)(f"Users/{user_id}", big), 413)
    settings.SCIM = {}
    assert body(scim.get(f"Users/{user_id}"))["userName"] == "bjensen"


def test_oversized_search_is_413(scim, settings):
    """POST .search (RFC 7644 §3.4.3) bodies are limited too."""
    settings.SCIM = {"MAX_BODY_BYTES": 300}
    assert_scim_error(
        scim.post(
            "Users/.search", {"schemas": [SEARCH], "filter": 'userName eq "' + "x" * 400 + '"'}
        ),
        413,
    )


# -- JSON depth (MAX_JSON_DEPTH) ----------------------------------------------------------------


def deep_body(levels: int) -> dict:
    """A User body whose JSON nesting is exactly ``levels`` deep (top object counted)."""
    inner: object = "leaf"
    for index in range(levels - 1):
        inner = [inner] if index % 2 else {"n": inner}
    return {"schemas": [USER], "userName": "deep", "extra": inner}


def test_json_deeper_than_max_json_depth_is_400_invalid_syntax(scim, settings):
    """RFC 7644 §3.12 invalidSyntax: "The request body message structure was invalid";
    nesting beyond MAX_JSON_DEPTH is refused before any work, creating nothing."""
    settings.SCIM = {"MAX_JSON_DEPTH": 8}
    assert_scim_error(scim.post("Users", deep_body(9)), 400, "invalidSyntax")
    assert not User.objects.exists()


def test_json_at_max_json_depth_is_accepted(scim, settings):
    """MAX_JSON_DEPTH is inclusive: exactly that deep is served."""
    settings.SCIM = {"MAX_JSON_DEPTH": 8}
    assert scim.post("Users", deep_body(8)).status_code == 201


def test_hostile_nesting_is_400_not_a_crash(scim):
    """Ten thousand levels of arrays (within the size limit) is 400 invalidSyntax, never a
    RecursionError or a 500."""
    assert_scim_error(scim.post("Users", "[" * 10_000 + "]" * 10_000), 400, "invalidSyntax")
    assert_scim_error(
        scim.post("Users/.search", '{"a":' * 5_000 + "1" + "}" * 5_000), 400, "invalidSyntax"
    )


def test_deep_patch_value_is_400_invalid_syntax(scim):
    """PATCH bodies obey the depth limit too; the resource is unchanged."""
    user_id = new_user(scim)
    value: object = "x"
    for _ in range(40):
        value = {"v": value}
    response = scim.patch(
        f"Users/{user_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "title", "value": value}]},
    )
    assert_scim_error(response, 400, "invalidSyntax")
    assert "title" not in body(scim.get(f"Users/{user_id}"))


# -- filter limits (FILTER_MAX_LENGTH, FILTER_MAX_DEPTH) ------------------------------------


def long_filter(length: int) -> str:
    text = 'userName eq "' + "a" * (length - 14) + '"'
    assert len(text) == length
    return text


def nested_filter(depth: int) -> str:
    return "(" * depth + 'userName eq "a"' + ")" * depth


def test_filter_longer_than_max_length_is_400_invalid_filter(scim, settings):
    """RFC 7644 §3.12 invalidFilter: "The specified filter syntax was invalid ... or the
    specified attribute and filter comparison combination is not supported"; a filter over
    FILTER_MAX_LENGTH characters is refused."""
    settings.SCIM = {"FILTER_MAX_LENGTH": 100}
    assert_scim_error(scim.get("Users", {"filter": long_filter(101)}), 400, "invalidFilter")


def test_filter_at_max_length_is_accepted(scim, settings):
    """FILTER_MAX_LENGTH is inclusive."""
    settings.SCIM = {"FILTER_MAX_LENGTH": 100}
    assert scim.get("Users", {"filter": long_filter(100)}).status_code == 200


def test_default_filter_length_limit(scim):
    """FILTER_MAX_LENGTH defaults to 4096 (docs/settings.md)."""
    assert scim.get("Users", {"filter": long_filter(4096)}).status_code == 200
    assert_scim_error(scim.get("Users", {"filter": long_filter(4097)}), 400, "invalidFilter")


def test_long_filter_in_search_body_is_400_invalid_filter(scim, settings):
    """The same limit applies to a SearchRequest's filter (RFC 7644 §3.4.3)."""
    settings.SCIM = {"FILTER_MAX_LENGTH": 100}
    response = scim.post("Users/.search", {"schemas": [SEARCH], "filter": long_filter(101)})
    assert_scim_error(response, 400, "invalidFilter")


def test_filter_deeper_than_max_depth_is_400_invalid_filter(scim):
    """Grouping nested beyond FILTER_MAX_DEPTH (16 by default) is 400 invalidFilter."""
    assert scim.get("Users", {"filter": nested_filter(16)}).status_code == 200
    assert_scim_error(scim.get("Users", {"filter": nested_filter(17)}), 400, "invalidFilter")


def test_filter_depth_setting_is_honoured(scim, settings):
    """Lowering FILTER_MAX_DEPTH applies at once, to GET and to .search."""
    settings.SCIM = {"FILTER_MAX_DEPTH": 3}
    assert scim.get("Users", {"filter": nested_filter(3)}).status_code == 200
    assert_scim_error(scim.get("Users", {"filter": nested_filter(4)}), 400, "invalidFilter")
    response = scim.post(".search", {"schemas": [SEARCH], "filter": nested_filter(4)})
    assert_scim_error(response, 400, "invalidFilter")


def test_value_paths_count_towards_filter_depth(scim, settings):
    """A value path (RFC 7644 §3.4.2.2 "[...]") is a nesting level like parentheses."""
    settings.SCIM = {"FILTER_MAX_DEPTH": 2}
    ok = '((emails[type eq "work"]))'
    response = scim.get("Users", {"filter": "(" + ok + ")"})
    assert_scim_error(response, 400, "invalidFilter")


def test_thousands_of_parentheses_are_400_not_a_crash(scim):
    """A hostile filter of 2,000 nested groups is 400 invalidFilter, never a 500."""
    assert_scim_error(scim.get("Users", {"filter": nested_filter(2000)}), 400, "invalidFilter")


# -- malformed bodies (invalidSyntax) -------------------------------------------------------


MALFORMED = [
    '{"userName": "bjensen",',
    "{'userName': 'bjensen'}",
    "userName=bjensen",
    "{]",
    '{"userName": "bjensen"} trailing',
    "\ufeff{}x",
    "NaN",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_json_post_is_400_invalid_syntax(scim, raw):
    """RFC 7644 §3.12 invalidSyntax: "The request body message structure was invalid or
    did not conform to the request schema"; nothing is created."""
    assert_scim_error(scim.post("Users", raw), 400, "invalidSyntax")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "raw", ["[]", '[{"userName": "bjensen"}]', "null", "42", '"bjensen"', "true"]
)
def test_json_that_is_not_an_object_is_400_invalid_syntax(scim, raw):
    """RFC 7644 §3.3: the body of a POST is a resource, i.e. a JSON object; an array or a
    scalar is 400 invalidSyntax."""
    assert_scim_error(scim.post("Users", raw), 400, "invalidSyntax")
    assert not User.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("raw", ['{"userName":', "[]", '[{"op": "remove", "path": "title"}]'])
def test_malformed_put_and_patch_are_400_invalid_syntax(scim, method, raw):
    """RFC 7644 §3.12 invalidSyntax for PUT (§3.5.1) and PATCH (§3.5.2) bodies; the
    resource is unchanged."""
    user_id = new_user(scim)
    scim.put(f"Users/{user_id}", {"userName": "bjensen", "title": "Guide"})
    assert_scim_error(getattr(scim, method)(f"Users/{user_id}", raw), 400, "invalidSyntax")
    assert body(scim.get(f"Users/{user_id}"))["title"] == "Guide"


@pytest.mark.parametrize("raw", ["{", "[]", '"filter"'])
def test_malformed_search_is_400_invalid_syntax(scim, raw):
    """RFC 7644 §3.4.3: a SearchRequest is a JSON object; anything else is invalidSyntax."""
    assert_scim_error(scim.post("Users/.search", raw), 400, "invalidSyntax")


def test_invalid_utf8_body_is_400_invalid_syntax(scim):
    """RFC 7644 §3.1 / RFC 8259 §8.1: JSON text is UTF-8; other bytes are invalidSyntax."""
    response = scim.post("Users", b'{"userName": "\xff\xfe"}')
    assert_scim_error(response, 400, "invalidSyntax")
    assert not User.objects.exists()


def test_unknown_id_after_fault_is_still_404(scim, monkeypatch):
    """After a 503 the service is back to normal answers, 404 included (RFC 7644 §3.12)."""
    monkeypatch.setattr(UserAdapter, "get_queryset", unavailable)
    assert_scim_error(scim.get("Users"), 503)
    monkeypatch.undo()
    assert_scim_error(scim.get(f"Users/{uuid.uuid4()}"), 404)
