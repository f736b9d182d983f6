"""/Bulk (RFC 7644 §3.7): many operations in one request, each as it would be alone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from django_scim.constants import (
    BULK_REQUEST,
    BULK_RESPONSE,
    ENTERPRISE_USER_SCHEMA,
    ERROR,
    GROUP_SCHEMA,
    USER_SCHEMA,
)
from tests.conftest import body, load_sample, ops
from tests.conftest import read as read_path


def read(scim, location: str) -> dict:
    """GET a resource by the absolute location a result carries."""
    return read_path(scim, location.removeprefix("http://testserver"))


def bulk(*operations: dict, **extra) -> dict:
    return {"schemas": [BULK_REQUEST], "Operations": list(operations), **extra}


def post_user(bulk_id: str | None, user_name: str, **attributes) -> dict:
    op = {
        "method": "POST",
        "path": "/Users",
        "data": {"schemas": [USER_SCHEMA], "userName": user_name, **attributes},
    }
    if bulk_id is not None:
        op["bulkId"] = bulk_id
    return op


def post_group(bulk_id: str, name: str, members: list[str] = ()) -> dict:
    return {
        "method": "POST",
        "path": "/Groups",
        "bulkId": bulk_id,
        "data": {
            "schemas": [GROUP_SCHEMA],
            "displayName": name,
            "members": [{"value": value} for value in members],
        },
    }


def managed_by(reference: str) -> dict:
    return {ENTERPRISE_USER_SCHEMA: {"manager": {"value": reference}}}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    data = body(response)
    assert data["schemas"] == [BULK_RESPONSE]
    return data["Operations"]


def statuses(response) -> list[str]:
    return [result["status"] for result in results(response)]


@pytest.fixture
def bjensen(scim) -> dict:
    return body(scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"}))


# -- each operation as it would be alone ----------------------------------------------------


def test_each_method_answers_its_own_status_location_and_version(scim, bjensen):
    """RFC 7644 §3.7.3: each operation's status is the HTTP status it would have had
    alone, with the resource's location and version."""
    gone = body(scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "gone"}))
    found = results(
        scim.post(
            "Bulk",
            bulk(
                post_user("new", "alice"),
                {
                    "method": "PUT",
                    "path": f"/Users/{bjensen['id']}",
                    "data": {"schemas": [USER_SCHEMA], "userName": "bjensen", "title": "Tour"},
                },
                {
                    "method": "PATCH",
                    "path": f"/Users/{bjensen['id']}",
                    "data": ops({"op": "replace", "path": "nickName", "value": "Babs"}),
                },
                {"method": "DELETE", "path": f"/Users/{gone['id']}"},
            ),
        )
    )
    assert [r["status"] for r in found] == ["201", "200", "200", "204"]
    assert [r["method"] for r in found] == ["POST", "PUT", "PATCH", "DELETE"]
    assert found[0]["bulkId"] == "new"
    alice = read(scim, found[0]["location"])
    assert alice["userName"] == "alice"
    assert found[0]["version"] == alice["meta"]["version"]
    now = read(scim, bjensen["meta"]["location"])
    assert (now["title"], now["nickName"]) == ("Tour", "Babs")
    assert found[2]["version"] == now["meta"]["version"]
    assert found[1]["location"] == found[2]["location"] == bjensen["meta"]["location"]
    assert found[3]["location"] == gone["meta"]["location"]
    assert "version" not in found[3]
    assert scim.get(gone["meta"]["location"].removeprefix("http://testserver")).status_code == 404


def test_a_failed_operation_carries_its_error_and_the_rest_go_on(scim, bjensen):
    """RFC 7644 §3.7.3: "The service provider MUST continue performing as many changes as
    possible and disregard partial failures"; a failed operation's response is a SCIM
    Error, and a failed POST has no location."""
    found = results(
        scim.post(
            "Bulk",
            bulk(post_user("dup", "BJENSEN"), post_user("ok", "carol")),
        )
    )
    assert [r["status"] for r in found] == ["409", "201"]
    assert found[0]["response"]["schemas"] == [ERROR]
    assert found[0]["response"]["scimType"] == "uniqueness"
    assert found[0]["response"]["status"] == "409"
    assert "location" not in found[0]
    assert User.objects.filter(username="carol").exists()


def test_failed_operation_leaves_nothing_behind(scim, bjensen):
    """RFC 7644 §3.7: each operation runs in its own savepoint: a PUT refused half-way
    (a userName taken) changes nothing of its resource."""
    scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "taken"})
    found = results(
        scim.post(
            "Bulk",
            bulk(
                {
                    "method": "PUT",
                    "path": f"/Users/{bjensen['id']}",
                    "data": {"schemas": [USER_SCHEMA], "userName": "taken", "title": "X"},
                }
            ),
        )
    )
    assert found[0]["status"] == "409"
    assert found[0]["location"] == bjensen["meta"]["location"]
    after = read(scim, bjensen["meta"]["location"])
    assert after["userName"] == "bjensen"
    assert "title" not in after
    assert after["meta"]["version"] == bjensen["meta"]["version"]


def test_unknown_resource_is_404_for_that_operation(scim):
    """RFC 7644 §3.7.3: a PATCH of a resource that does not exist is 404, as alone."""
    found = results(
        scim.post(
            "Bulk",
            bulk({"method": "DELETE", "path": "/Users/2819c223-7f76-453a-919d-413861904646"}),
        )
    )
    assert found[0]["status"] == "404"


def test_post_without_bulk_id_fails(scim):
    """RFC 7644 §3.7: bulkId "REQUIRED when "method" is "POST"."."""
    found = results(scim.post("Bulk", bulk(post_user(None, "alice"), post_user("b", "bob"))))
    assert [r["status"] for r in found] == ["400", "201"]
    assert found[0]["response"]["scimType"] == "invalidSyntax"
    assert not User.objects.filter(username="alice").exists()


@pytest.mark.parametrize(
    "operation",
    [
        {"method": "GET", "path": "/Users"},
        {"method": "POST", "bulkId": "x", "path": "/Nowhere", "data": {}},
        {"method": "POST", "bulkId": "x", "path": "/Users/abc", "data": {}},
        {"method": "PUT", "path": "/Users", "data": {}},
        {"method": "PATCH", "path": "/Users/abc"},
        "not an object",
    ],
)
def test_malformed_operation_fails_alone(scim, operation):
    """RFC 7644 §3.7: method is one of POST, PUT, PATCH, DELETE; path names the endpoint
    (POST) or the resource (the others); data is required but for DELETE."""
    found = results(scim.post("Bulk", bulk(operation, post_user("b", "bob"))))
    assert found[0]["status"] in {"400", "404"}
    assert found[0]["response"]["schemas"] == [ERROR]
    assert found[1]["status"] == "201"


def test_rfc_sample_with_fail_on_errors_1(scim):
    """RFC 7644 §3.7 (BulkRequest example), §3.7.3: with failOnErrors 1 the service
    provider stops after the first error and returns the operations processed so far."""
    found = results(scim.post("Bulk", load_sample("rfc7644-3.7-bulk-request.json")))
    assert [r["status"] for r in found] == ["201", "404"]
    assert User.objects.filter(username="Alice").exists()


def test_fail_on_errors_counts_errors(scim):
    """RFC 7644 §3.7.3: failOnErrors is "the number of errors that the service provider
    will accept before the operation is terminated"."""
    request = bulk(
        post_user("a", "alice"),
        post_user("b", "alice"),
        post_user("c", "carol"),
        post_user("d", "carol"),
        post_user("e", "erin"),
        failOnErrors=2,
    )
    assert statuses(scim.post("Bulk", request)) == ["201", "409", "201", "409"]
    assert not User.objects.filter(username="erin").exists()


def test_without_fail_on_errors_every_operation_runs(scim):
    """RFC 7644 §3.7.3: without failOnErrors, every operation is attempted."""
    request = bulk(post_user("a", "alice"), post_user("b", "alice"), post_user("c", "carol"))
    assert statuses(scim.post("Bulk", request)) == ["201", "409", "201"]


@pytest.mark.parametrize("value", [0, -1, "1", True, 1.5])
def test_bad_fail_on_errors_is_400(scim, value):
    """RFC 7644 §3.7.3: failOnErrors is an integer (of at least 1)."""
    response = scim.post("Bulk", bulk(post_user("a", "alice"), failOnErrors=value))
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidValue"
    assert not User.objects.exists()


@pytest.mark.parametrize("payload", [[], {"schemas": [BULK_REQUEST]}, {"Operations": {}}])
def test_not_a_bulk_request_is_400(scim, payload):
    """RFC 7644 §3.7: a BulkRequest is an object with an Operations list."""
    response = scim.post("Bulk", payload)
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidSyntax"


def test_duplicate_bulk_ids_are_rejected(scim):
    """RFC 7644 §3.7: a bulkId is "a transient identifier ... unique within the request";
    a second declaration makes every reference ambiguous: 400, nothing done."""
    response = scim.post("Bulk", bulk(post_user("x", "alice"), post_user("x", "bob")))
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidValue"
    assert "'x'" in body(response)["detail"]
    assert not User.objects.exists()


def test_version_acts_as_if_match(scim, bjensen):
    """RFC 7644 §3.7: "version": "The current resource version ... used in conjunction
    with ETags" (If-Match, §3.14): a stale one is 412 and changes nothing; the current one,
    or *, lets the operation run."""
    path = f"/Users/{bjensen['id']}"
    location = bjensen["meta"]["location"]
    stale = 'W/"0000000000"'

    def patch(version, nick):
        return {
            "method": "PATCH",
            "path": path,
            "version": version,
            "data": ops({"op": "replace", "path": "nickName", "value": nick}),
        }

    found = results(
        scim.post("Bulk", bulk(patch(stale, "A"), patch(bjensen["meta"]["version"], "B")))
    )
    assert [r["status"] for r in found] == ["412", "200"]
    assert found[0]["response"]["status"] == "412"
    assert read(scim, location)["nickName"] == "B"
    found = results(
        scim.post(
            "Bulk", bulk(patch("*", "C"), {"method": "DELETE", "path": path, "version": stale})
        )
    )
    assert [r["status"] for r in found] == ["200", "412"]
    assert read(scim, location)["nickName"] == "C"


# -- references ---------------------------------------------------------------------------


def test_member_reference_to_a_later_post_moves_it_up(scim):
    """RFC 7644 §3.7.2: a "bulkId:" reference is replaced by the new resource's id; the
    service provider runs the POST it names first; nothing else moves (the operations'
    results are listed in the request's order)."""
    request = bulk(
        post_user("first", "first"),
        post_group("g", "Tour Guides", ["bulkId:late"]),
        post_user("late", "late"),
    )
    found = results(scim.post("Bulk", request))
    assert [r["bulkId"] for r in found] == ["first", "g", "late"]
    assert [r["status"] for r in found] == ["201", "201", "201"]
    group = read(scim, found[1]["location"])
    late_id = read(scim, found[2]["location"])["id"]
    assert [m["value"] for m in group["members"]] == [late_id]
    users = {u.username: u.pk for u in User.objects.all()}
    assert users["first"] < users["late"]


def test_reference_in_a_patch_value_path_and_operation_path(scim):
    """RFC 7644 §3.7.2: references are replaced wherever they appear: the operation's
    path (/Groups/bulkId:g), a PATCH value and the value filter of a PATCH path."""
    request = bulk(
        post_user("u1", "one"),
        post_user("u2", "two"),
        post_group("g", "Guides", ["bulkId:u1", "bulkId:u2"]),
        {
            "method": "PATCH",
            "path": "/Groups/bulkId:g",
            "data": ops(
                {"op": "remove", "path": 'members[value eq "bulkId:u1"]'},
                {"op": "add", "path": "members", "value": [{"value": "bulkId:u3"}]},
            ),
        },
        post_user("u3", "three"),
    )
    found = results(scim.post("Bulk", request))
    assert [r["status"] for r in found] == ["201", "201", "201", "200", "201"]
    group = read(scim, found[2]["location"])
    names = sorted(m["display"] for m in group["members"])
    assert names == ["three", "two"]
    assert found[3]["location"] == found[2]["location"]


def test_enterprise_manager_reference(scim):
    """RFC 7644 §3.7.2: "bulkId" references are replaced in extension attributes too
    (the enterprise manager, RFC 7643 §4.3)."""
    request = bulk(
        post_user("emp", "employee", **managed_by("bulkId:boss")), post_user("boss", "boss")
    )
    found = results(scim.post("Bulk", request))
    boss = read(scim, found[1]["location"])
    employee = read(scim, found[0]["location"])
    assert employee[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == boss["id"]


def test_unknown_reference_is_409(scim):
    """RFC 7644 §3.7.2: a "bulkId" no POST of the request declares cannot be resolved:
    409 for the operation referring to it."""
    found = results(scim.post("Bulk", bulk(post_group("g", "Guides", ["bulkId:nobody"]))))
    assert found[0]["status"] == "409"
    assert "nobody" in found[0]["response"]["detail"]
    assert not Group.objects.exists()


def test_reference_to_a_failed_post_is_409(scim, bjensen):
    """RFC 7644 §3.7.2, §3.7.3: an operation referring to a POST that failed cannot run:
    409, and the failed POST keeps its own error."""
    request = bulk(post_user("u", "bjensen"), post_group("g", "Guides", ["bulkId:u"]))
    found = results(scim.post("Bulk", request))
    assert [r["status"] for r in found] == ["409", "409"]
    assert found[0]["response"]["scimType"] == "uniqueness"
    assert "failed" in found[1]["response"]["detail"]


# -- circular references -------------------------------------------------------------------


def test_circular_managers_are_resolved(scim):
    """RFC 7644 §3.7.1: "The service provider MUST try to resolve circular cross-references
    between resources in a single bulk job": each is created without the circular value,
    which is added once both exist."""
    request = bulk(
        post_user("a", "alice", **managed_by("bulkId:b")),
        post_user("b", "bob", **managed_by("bulkId:a")),
    )
    found = results(scim.post("Bulk", request))
    assert [r["status"] for r in found] == ["201", "201"]
    alice, bob = (read(scim, r["location"]) for r in found)
    assert alice[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == bob["id"]
    assert bob[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == alice["id"]
    assert [r["version"] for r in found] == [alice["meta"]["version"], bob["meta"]["version"]]


def test_self_reference_is_resolved(scim):
    """RFC 7644 §3.7.1: a resource referring to itself is the smallest circle."""
    found = results(scim.post("Bulk", bulk(post_user("me", "self", **managed_by("bulkId:me")))))
    created = read(scim, found[0]["location"])
    assert created[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == created["id"]


def test_circle_that_cannot_be_completed_is_409_and_leaves_nothing(scim, bjensen):
    """RFC 7644 §3.7.1: the service provider MAY return 409 where a circle cannot be
    resolved: here one member fails (its userName is taken), keeps its own error, and the
    others get 409; none of the circle is kept."""
    request = bulk(
        post_user("a", "alice", **managed_by("bulkId:b")),
        post_user("b", "bjensen", **managed_by("bulkId:a")),
        post_user("c", "carol"),
    )
    found = results(scim.post("Bulk", request))
    assert [r["status"] for r in found] == ["409", "409", "201"]
    assert found[1]["response"]["scimType"] == "uniqueness"
    assert "Circular" in found[0]["response"]["detail"]
    assert not User.objects.filter(username="alice").exists()


# -- limits and discovery ----------------------------------------------------------------


def test_service_provider_config_advertises_bulk(scim, settings):
    """RFC 7643 §5: bulk.supported, maxOperations and maxPayloadSize, from settings."""
    settings.SCIM = {"BULK_MAX_OPERATIONS": 7, "BULK_MAX_PAYLOAD_SIZE": 4096}
    assert body(scim.get("ServiceProviderConfig"))["bulk"] == {
        "supported": True,
        "maxOperations": 7,
        "maxPayloadSize": 4096,
    }


def test_bulk_turned_off_is_501(scim, settings):
    """RFC 7644 §3.12: 501 for an operation the service provider does not support; its
    ServiceProviderConfig says so (RFC 7643 §5)."""
    settings.SCIM = {"BULK_MAX_OPERATIONS": 0}
    assert body(scim.get("ServiceProviderConfig"))["bulk"]["supported"] is False
    response = scim.post("Bulk", bulk(post_user("a", "alice")))
    assert response.status_code == 501
    assert not User.objects.exists()


def test_more_operations_than_max_operations_is_413(scim, settings):
    """RFC 7644 §3.7.4: more operations than maxOperations: 413 with a SCIM Error naming
    the limit; nothing is done."""
    settings.SCIM = {"BULK_MAX_OPERATIONS": 2}
    request = bulk(*(post_user(str(n), f"user{n}") for n in range(3)))
    response = scim.post("Bulk", request)
    assert response.status_code == 413
    data = body(response)
    assert data["schemas"] == [ERROR]
    assert "maxOperations (2)" in data["detail"]
    assert not User.objects.exists()
    assert statuses(scim.post("Bulk", bulk(post_user("a", "a"), post_user("b", "b")))) == [
        "201",
        "201",
    ]


def test_larger_body_than_max_payload_size_is_413(scim, settings):
    """RFC 7644 §3.7.4: a body over maxPayloadSize: 413 "The size of the bulk operation
    exceeds the maxPayloadSize (…)"; /Bulk's limit is its own, not MAX_BODY_BYTES."""
    settings.SCIM = {"BULK_MAX_PAYLOAD_SIZE": 300, "MAX_BODY_BYTES": 100}
    small = bulk(post_user("a", "alice"))
    assert statuses(scim.post("Bulk", small)) == ["201"]
    response = scim.post("Bulk", bulk(*(post_user(str(n), f"user{n}") for n in range(5))))
    assert response.status_code == 413
    assert body(response)["detail"] == (
        "The size of the bulk operation exceeds the maxPayloadSize (300)."
    )
    assert User.objects.count() == 1


def test_read_only_client_may_not_bulk(read_only_scim):
    """RFC 7644 §3.7 writes; a read-only client is refused (403) before the body is read."""
    response = read_only_scim.post("Bulk", bulk(post_user("a", "alice")))
    assert response.status_code == 403
    assert not User.objects.exists()


NESTED_GROUPS = [
    "django_scim.adapters.users.UserAdapter",
    "example_project.directory.adapters.NestedGroupAdapter",
]


def test_rfc_circular_groups_example_succeeds(scim, settings):
    """RFC 7644 §3.7.1: "the service provider MUST try to resolve circular cross-references
    between resources in a single bulk job" — its example, Group A a member of Group B and
    Group B of Group A, both created, each with the other as member (groups of groups:
    example_project.directory's Team)."""
    settings.SCIM = {"ADAPTERS": NESTED_GROUPS}
    request = load_sample("rfc7644-3.7.1-bulk-circular-groups.json")
    found = results(scim.post("Bulk", request))
    assert [(r["bulkId"], r["status"]) for r in found] == [("qwerty", "201"), ("ytrewq", "201")]
    group_a, group_b = (read(scim, r["location"]) for r in found)
    assert [(m["value"], m["display"]) for m in group_a["members"]] == [(group_b["id"], "Group B")]
    assert [(m["value"], m["display"]) for m in group_b["members"]] == [(group_a["id"], "Group A")]
    assert [r["version"] for r in found] == [group_a["meta"]["version"], group_b["meta"]["version"]]
