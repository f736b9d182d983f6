"""Okta (OIN and App Integration Wizard apps): its documented requests, replayed.

Each test sends a request body as Okta sends it and checks the answer Okta
needs (docs/dialects.md lists the leniencies). Sources:

- SCIM20: https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
- SCIM11: https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-11
- PREPARE: https://developer.okta.com/docs/guides/scim-provisioning-integration-prepare/main/
- FAQ: https://developer.okta.com/docs/concepts/scim/faqs/
- SPEC test: https://developer.okta.com/standards/SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from django_scim.constants import ERROR, GROUP_SCHEMA, LIST_RESPONSE, USER_SCHEMA
from django_scim.models import ProvisioningLog
from tests.conftest import body, load_sample
from tests.idp.replay import create, ops, patch_ok, read

PLACEHOLDER = "1mz050nq"

User = get_user_model()


def okta_user(user_name: str = "test.user@okta.local", **changes) -> dict:
    """The create body of SCIM20 "Create the user" (O-03), for ``user_name``."""
    payload = load_sample("okta-create-user.json")
    payload["userName"] = user_name
    payload["emails"][0]["value"] = user_name
    payload.update(changes)
    return payload


def list_of(scim, query: str) -> dict:
    response = scim.get(query)
    assert response.status_code == 200
    data = body(response)
    assert data["schemas"] == [LIST_RESPONSE]
    return data


@pytest.fixture
def user(scim) -> dict:
    return create(scim, okta_user())


@pytest.fixture
def at(user) -> str:
    return f"Users/{user['id']}"


@pytest.fixture
def others(scim) -> list[str]:
    return [
        create(scim, okta_user(f"other{n}@okta.local", externalId=f"00uother{n}"))["id"]
        for n in range(3)
    ]


def new_group(scim, members: list[str] | tuple[str, ...] = ()) -> dict:
    """SCIM20 "Create Group" (Group Push)."""
    return create(
        scim,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Test SCIMv2",
            "members": [{"value": m, "display": m} for m in members],
        },
        "Groups",
    )


def member_ids(scim, group_id: str) -> list[str]:
    return sorted(m["value"] for m in read(scim, f"Groups/{group_id}").get("members", []))


# -- connection and lookups (O-01, O-02, O-05) -------------------------------------------------


def test_connection_check_has_constant_parameters(scim, user):
    """O-01 (SCIM11: "The query parameters that Okta sends at this point are always
    constant"): ``/Users?startIndex=1&count=2`` and ``/Groups?startIndex=1&count=100``.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-11
    """
    users = list_of(scim, "Users?startIndex=1&count=2")
    assert (users["totalResults"], users["startIndex"], users["itemsPerPage"]) == (1, 1, 1)
    groups = list_of(scim, "Groups?startIndex=1&count=100")
    assert groups["totalResults"] == 0


def test_existence_check_with_url_encoded_filter(scim):
    """O-02 (SCIM20, "Determine if the user already exists"): a URL-encoded ``userName eq``
    with paging parameters; no match is 200 with ``totalResults: 0``.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    data = list_of(
        scim, "Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
    )
    assert (data["totalResults"], data["Resources"]) == (0, [])


def test_existence_check_finds_the_user(scim, user):
    """O-02 (SCIM20): the same query once the user exists returns it, paging as integers
    (O-05).

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    data = list_of(
        scim, "Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
    )
    assert [r["id"] for r in data["Resources"]] == [user["id"]]
    assert all(isinstance(data[k], int) for k in ("totalResults", "startIndex", "itemsPerPage"))


def test_spec_test_username_case_check(scim, user):
    """SPEC test "Username Case Sensitivity Check": the userName filter in capitals finds the
    user (RFC 7643 §4.1.1).

    https://developer.okta.com/standards/SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json
    """
    data = list_of(scim, 'Users?filter=userName eq "TEST.USER@OKTA.LOCAL"')
    assert data["totalResults"] == 1


# -- create (O-03, O-04) -----------------------------------------------------------------------


def test_create_user_as_okta_sends_it(scim):
    """O-03 (SCIM20, "Create the user"): ``groups: []`` and ``password`` are accepted; 201 with
    the created user (never an empty body); the password is never returned.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    response = scim.post("Users", okta_user())
    assert response.status_code == 201
    data = body(response)
    assert data["id"] and data["active"] is True
    assert data["userName"] == "test.user@okta.local"
    assert data["name"] == {"givenName": "Test", "familyName": "User"}
    assert data["externalId"] == "00ujl29u0le5T6Aj10h7"
    assert "password" not in data
    assert PLACEHOLDER not in response.content.decode()


def test_placeholder_password_ignored_when_passwords_are_not_accepted(scim, settings):
    """O-03 (SCIM20: the password arrives even with password sync off) and
    docs/settings.md ACCEPT_PASSWORDS: with False the placeholder is not set; the user gets
    an unusable password, and the placeholder is stored nowhere in clear.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    settings.SCIM = {"ACCEPT_PASSWORDS": False}
    data = create(scim, okta_user())
    stored = User.objects.get(username="test.user@okta.local")
    assert not stored.has_usable_password()
    assert not stored.check_password(PLACEHOLDER)
    assert PLACEHOLDER not in stored.password
    assert PLACEHOLDER not in json.dumps(read(scim, f"Users/{data['id']}"))
    for entry in ProvisioningLog.objects.all():
        assert PLACEHOLDER not in entry.request_body
        assert PLACEHOLDER not in entry.response_body


def test_password_is_hashed_when_accepted(scim):
    """O-03 and docs/settings.md ACCEPT_PASSWORDS (default True): the password is set with
    the site's hashers, never kept in clear (RFC 7643 §4.1.1 returned "never").

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    create(scim, okta_user())
    stored = User.objects.get(username="test.user@okta.local")
    assert stored.check_password(PLACEHOLDER)
    assert PLACEHOLDER not in stored.password


def test_recreating_an_active_user_is_409(scim, user):
    """O-04 (SPEC test "Expect failure when recreating user with same values"): exactly 409,
    with a SCIM Error body and ``status`` as a string.

    https://developer.okta.com/standards/SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json
    """
    response = scim.post("Users", okta_user())
    assert response.status_code == 409
    error = body(response)
    assert (error["schemas"], error["status"], error["scimType"]) == ([ERROR], "409", "uniqueness")
    assert User.objects.count() == 1


def test_re_post_of_deactivated_user_revives_it(scim, at, user):
    """O-04 (better-auth/better-auth#11111; SCIM20 deactivate → reactivate → reassign) and
    REVIVE_ON_CREATE: the POST revives the same user, same id, active again, with the new
    profile.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    https://github.com/better-auth/better-auth/issues/11111
    """
    patch_ok(scim, at, load_sample("okta-deactivate-user.json"))
    response = scim.post("Users", okta_user(name={"givenName": "Back", "familyName": "User"}))
    assert response.status_code == 201
    data = body(response)
    assert data["id"] == user["id"]
    assert data["active"] is True
    assert data["name"]["givenName"] == "Back"
    assert User.objects.count() == 1


def test_re_post_with_a_deactivated_users_external_id_is_another_person(scim, at, user):
    """O-04, as RFC 7643 §3.1 has it: ``externalId`` is not unique, so it never decides
    identity on its own. A POST under a new userName with a deactivated user's externalId
    is a new user; the deactivated one stays as it was. (Microsoft's SCIM test collection
    for Entra ID posts several users sharing one externalId: reviving by it would merge
    two people into one account.) Revival goes by userName (the test above).
    """
    patch_ok(scim, at, load_sample("okta-deactivate-user.json"))
    data = create(scim, okta_user("renamed@okta.local"))
    assert data["id"] != user["id"]
    assert data["userName"] == "renamed@okta.local"
    assert User.objects.count() == 2
    kept = read(scim, at)
    assert kept["userName"] == user["userName"]
    assert kept["active"] is False


def test_re_post_of_deactivated_user_is_409_without_revival(scim, settings, at):
    """O-04 and docs/settings.md: REVIVE_ON_CREATE False answers 409 and the user stays
    deactivated.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    settings.SCIM = {"REVIVE_ON_CREATE": False}
    patch_ok(scim, at, load_sample("okta-deactivate-user.json"))
    response = scim.post("Users", okta_user())
    assert response.status_code == 409
    assert body(response)["scimType"] == "uniqueness"
    assert read(scim, at)["active"] is False


# -- update (O-06, O-07) -----------------------------------------------------------------------


def test_put_with_id_meta_and_empty_groups(scim, at, user):
    """O-06 (SCIM20, "Update a specific user (PUT)"): the body carries ``id``, ``meta`` and
    ``groups: []``; they are ignored and the profile is updated.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    payload = {
        "schemas": [USER_SCHEMA],
        "id": user["id"],
        "userName": "test.user@okta.local",
        "name": {"givenName": "Another", "middleName": "Excited", "familyName": "User"},
        "emails": [
            {
                "primary": True,
                "value": "test.user@okta.local",
                "type": "work",
                "display": "test.user@okta.local",
            }
        ],
        "active": True,
        "groups": [],
        "meta": {"resourceType": "User"},
    }
    response = scim.put(at, payload)
    assert response.status_code == 200
    data = body(response)
    assert data["id"] == user["id"]
    assert data["name"] == {"givenName": "Another", "middleName": "Excited", "familyName": "User"}
    assert data["meta"]["created"] == user["meta"]["created"]


def test_put_without_active_keeps_the_user_active(scim, at, user):
    """O-06 (Delinea's Okta notes: "if active:true is not preserved, the user may be
    suspended"): a PUT without ``active`` leaves it unchanged.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    payload = {
        "schemas": [USER_SCHEMA],
        "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
    }
    response = scim.put(at, payload)
    assert response.status_code == 200
    assert body(response)["active"] is True


def test_put_deactivates_aiw_user(scim, at):
    """O-06 (SCIM20 note: App Integration Wizard apps always use PUT, also to deactivate).

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    payload = okta_user(active=False)
    payload.pop("password")
    response = scim.put(at, payload)
    assert response.status_code == 200
    assert body(response)["active"] is False


def test_deactivate_with_path_less_replace(scim, at):
    """O-07 (SCIM20, "Update a specific user (PATCH)"): ``{"op":"replace","value":
    {"active":false}}`` deactivates; ``true`` activates again.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    response = scim.patch(at, load_sample("okta-deactivate-user.json"))
    assert response.status_code == 200
    assert body(response)["active"] is False
    assert read(scim, at)["active"] is False
    assert User.objects.get(username="test.user@okta.local").is_active is False
    after = patch_ok(scim, at, ops({"op": "replace", "value": {"active": True}}))
    assert after["active"] is True


def test_json_content_type_is_accepted(scim, at):
    """docs/dialects.md (Okta): ``application/json`` bodies are accepted; answers are
    ``application/scim+json``.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    response = scim.patch(
        at, load_sample("okta-deactivate-user.json"), content_type="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    assert body(response)["active"] is False


# -- groups (O-08 .. O-11) ---------------------------------------------------------------------


def test_create_group_with_empty_members(scim):
    """O-08 (SCIM20, "Create Group"): 201 with id, displayName and meta.resourceType.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    response = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Test SCIMv2", "members": []}
    )
    assert response.status_code == 201
    data = body(response)
    assert data["id"] and data["displayName"] == "Test SCIMv2"
    assert data["meta"]["resourceType"] == "Group"
    assert Group.objects.filter(name="Test SCIMv2").exists()


def test_group_lookup_by_display_name(scim):
    """O-08 (okta-developer-docs#3506: "filter=displayName eq <groupName>").

    https://github.com/okta/okta-developer-docs/issues/3506
    """
    group = new_group(scim)
    data = list_of(scim, 'Groups?filter=displayName eq "Test SCIMv2"')
    assert [r["id"] for r in data["Resources"]] == [group["id"]]


def test_group_rename_with_id_in_value(scim, others):
    """O-09 (SCIM20, "Update a specific group name"): a path-less replace whose value holds
    the read-only ``id`` renames the group; id and members unchanged.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim, others[:1])
    payload = ops({"op": "replace", "value": {"id": group["id"], "displayName": "Renamed"}})
    after = patch_ok(scim, f"Groups/{group['id']}", payload)
    assert (after["id"], after["displayName"]) == (group["id"], "Renamed")
    assert member_ids(scim, group["id"]) == others[:1]


def test_group_rename_with_another_id_ignores_it(scim):
    """O-09 and RFC 7644 §3.5.2 (read-only values "SHALL be ignored"; docs/dialects.md): a
    different ``id`` in a path-less value is ignored, the rename applies.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim)
    payload = ops(
        {
            "op": "replace",
            "value": {"id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b", "displayName": "Renamed"},
        }
    )
    after = patch_ok(scim, f"Groups/{group['id']}", payload)
    assert (after["id"], after["displayName"]) == (group["id"], "Renamed")


def test_membership_remove_by_filter_and_add_in_one_request(scim, others):
    """O-10 (SCIM20, "Update specific group membership"): remove by ``members[value eq]``
    and add members without ``type`` in one request.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim, others[:2])
    payload = ops(
        {"op": "remove", "path": f'members[value eq "{others[0]}"]'},
        {
            "op": "add",
            "path": "members",
            "value": [{"value": others[2], "display": "other2@okta.local"}],
        },
    )
    patch_ok(scim, f"Groups/{group['id']}", payload)
    assert member_ids(scim, group["id"]) == sorted(others[1:])


def test_members_without_type_are_users(scim, others):
    """O-10 (Captain-P-Goldfish/SCIM-SDK#419): member values have no ``type``; they are read
    as users and shown with type User.

    https://github.com/Captain-P-Goldfish/SCIM-SDK/issues/419
    """
    group = new_group(scim)
    after = patch_ok(
        scim,
        f"Groups/{group['id']}",
        ops({"op": "add", "path": "members", "value": [{"value": others[0], "display": "x"}]}),
    )
    assert [(m["value"], m["type"]) for m in after["members"]] == [(others[0], "User")]


def test_full_push_replaces_members(scim, others):
    """O-10 (SCIM20): a full push is ``replace members`` with the whole list.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim, others[:2])
    value = [{"value": others[2], "display": "other2@okta.local"}]
    patch_ok(
        scim, f"Groups/{group['id']}", ops({"op": "replace", "path": "members", "value": value})
    )
    assert member_ids(scim, group["id"]) == [others[2]]


def test_push_of_empty_group_replaces_members_with_empty_list(scim, others):
    """O-10 (Captain-P-Goldfish/SCIM-SDK#757): ``replace members []`` empties the group.

    https://github.com/Captain-P-Goldfish/SCIM-SDK/issues/757
    """
    group = new_group(scim, others)
    patch_ok(scim, f"Groups/{group['id']}", ops({"op": "replace", "path": "members", "value": []}))
    assert member_ids(scim, group["id"]) == []
    assert Group.objects.get(name="Test SCIMv2").user_set.count() == 0


def test_remove_by_filter_without_value(scim, others):
    """O-10 (BerriAI/litellm#34181; goauthentik/authentik#25686): ``remove`` with only the
    filtered path and no ``value`` really removes the member.

    https://github.com/BerriAI/litellm/issues/34181
    https://github.com/goauthentik/authentik/issues/25686
    """
    group = new_group(scim, others)
    patch_ok(
        scim,
        f"Groups/{group['id']}",
        ops({"op": "remove", "path": f'members[value eq "{others[1]}"]'}),
    )
    assert member_ids(scim, group["id"]) == sorted([others[0], others[2]])


def test_rename_sent_with_membership_update(scim, others):
    """O-09 (SCIM20: "The rename is sent with every membership update"): rename with the id,
    then a membership change, in one request.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim, others[:1])
    payload = ops(
        {"op": "replace", "value": {"id": group["id"], "displayName": "Test SCIMv2"}},
        {"op": "add", "path": "members", "value": [{"value": others[1], "display": "o1"}]},
    )
    after = patch_ok(scim, f"Groups/{group['id']}", payload)
    assert after["displayName"] == "Test SCIMv2"
    assert member_ids(scim, group["id"]) == sorted(others[:2])


def test_group_still_exists_check_returns_members(scim, others):
    """O-08 (SCIM20: ``GET /Groups/{id}`` must return members).

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim, others[:2])
    data = read(scim, f"Groups/{group['id']}")
    assert sorted(m["value"] for m in data["members"]) == sorted(others[:2])


def test_group_delete_on_unlink(scim, others):
    """O-11 (SCIM20, "Delete a specific group"): 204, the group is gone, its users stay.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    group = new_group(scim, others)
    response = scim.delete(f"Groups/{group['id']}")
    assert response.status_code == 204
    assert scim.get(f"Groups/{group['id']}").status_code == 404
    assert not Group.objects.filter(name="Test SCIMv2").exists()
    assert User.objects.filter(username__startswith="other").count() == 3


def test_strict_client_still_takes_okta_requests(scim, scim_client_record, others):
    """docs/dialects.md "Strict clients": strictness refuses only the leniencies that could
    surprise a strict client; Okta's RFC-shaped requests (O-07, O-09, O-10) still work.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    scim_client_record.strict = True
    scim_client_record.save()
    group = new_group(scim, others[:2])
    payload = ops(
        {"op": "replace", "value": {"id": group["id"], "displayName": "Strict"}},
        {"op": "remove", "path": f'members[value eq "{others[0]}"]'},
        {"op": "add", "path": "members", "value": [{"value": others[2], "display": "o2"}]},
    )
    after = patch_ok(scim, f"Groups/{group['id']}", payload)
    assert after["displayName"] == "Strict"
    assert member_ids(scim, group["id"]) == sorted(others[1:])
    deactivated = patch_ok(scim, f"Users/{others[1]}", load_sample("okta-deactivate-user.json"))
    assert deactivated["active"] is False


def test_strict_client_gets_no_target_for_unmatched_replace(scim, scim_client_record, at):
    """docs/dialects.md "Strict clients" and RFC 7644 §3.5.2.3: the one leniency a strict
    client loses — replace through a value filter matching nothing — is 400 noTarget, and
    the user is unchanged.

    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    scim_client_record.strict = True
    scim_client_record.save()
    before = read(scim, at)
    payload = ops({"op": "replace", "path": 'emails[type eq "home"].value', "value": "h@x.y"})
    response = scim.patch(at, payload)
    assert response.status_code == 400
    assert body(response)["scimType"] == "noTarget"
    assert read(scim, at) == before
