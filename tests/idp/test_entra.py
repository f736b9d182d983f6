"""Microsoft Entra ID (Azure AD) provisioning service: its documented requests, replayed.

Each test sends a request body as Entra sends it and checks the answer Entra
needs (docs/dialects.md lists the leniencies). Sources:

- TUTORIAL: https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
- KNOWN_ISSUES: https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
- HOW_IT_WORKS: https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
- GALLERY: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/app-gallery-user-provisioning-requirements
- MAPPINGS: https://learn.microsoft.com/en-us/entra/identity/app-provisioning/customize-application-attributes
- Validator captures published in github.com/pranems/SCIMServer (docs/archive/, docs/*.md).
"""  # noqa: E501

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from django_scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    ERROR,
    GROUP_SCHEMA,
    LIST_RESPONSE,
    USER_SCHEMA,
)
from tests.conftest import body, load_sample
from tests.idp.replay import create, ops, patch_ok, read

MANAGER = f"{ENTERPRISE_USER_SCHEMA}:manager"
ADSCIM_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"

User = get_user_model()


def entra_user(user_name: str = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee") -> dict:
    """The create body of TUTORIAL "Create User" (E-07), for ``user_name``."""
    payload = load_sample("entra-create-user.json")
    payload["userName"] = user_name
    payload["emails"][0]["value"] = f"{user_name}@testuser.com"
    return payload


def assert_rejected(scim, location: str, payload: dict, status: int, scim_type: str) -> None:
    before = read(scim, location)
    response = scim.patch(location, payload)
    assert response.status_code == status, body(response)
    assert body(response)["scimType"] == scim_type
    assert read(scim, location) == before


def search(scim, query: str) -> dict:
    response = scim.get(query)
    assert response.status_code == 200, body(response)
    data = body(response)
    assert data["schemas"] == [LIST_RESPONSE]
    return data


@pytest.fixture
def user(scim) -> dict:
    return create(scim, entra_user())


@pytest.fixture
def at(user) -> str:
    return f"Users/{user['id']}"


@pytest.fixture
def others(scim) -> list[str]:
    return [create(scim, entra_user(f"other{n}@contoso.com"))["id"] for n in range(3)]


def new_group(scim, members: list[str] | tuple[str, ...] = ()) -> dict:
    return create(
        scim,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Sales",
            "members": [{"value": m} for m in members],
        },
        "Groups",
    )


def member_ids(scim, group_id: str) -> list[str]:
    return sorted(m["value"] for m in read(scim, f"Groups/{group_id}").get("members", []))


# -- queries (E-01 .. E-06) ----------------------------------------------------------------


def test_test_connection_random_user_filter_is_empty_list(scim):
    """E-01 (TUTORIAL, "Test Connection"): a userName filter with a random GUID answers 200
    with an empty ListResponse, never 404.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    data = search(scim, 'Users?filter=userName eq "4b6f0d1e-7d1c-4b0e-9b9e-3f4a5c6d7e8f"')
    assert data["totalResults"] == 0
    assert data["Resources"] == []
    assert data["startIndex"] == 1


def test_test_connection_group_probe_is_empty_list(scim):
    """E-01 (TUTORIAL; pranems/SCIMServer docs/auth RCA): Test Connection also probes
    /Groups, which must answer 200 with an empty ListResponse.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    https://github.com/pranems/SCIMServer
    """
    data = search(scim, 'Groups?filter=displayName eq "x"')
    assert data["totalResults"] == 0


def test_query_by_user_name(scim, user):
    """E-02 (TUTORIAL, "Get User by query"): ``userName eq`` returns the full user with id.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    data = search(scim, f'Users?filter=userName eq "{user["userName"]}"')
    assert data["totalResults"] == 1
    assert data["Resources"][0]["id"] == user["id"]
    assert data["Resources"][0]["emails"] == user["emails"]


def test_query_by_user_name_with_zero_results(scim, user):
    """E-02 (GALLERY): "Return a successful response with zero results when a query doesn't
    match a user. Don't return a bad request."

    https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/app-gallery-user-provisioning-requirements
    """
    data = search(scim, 'Users?filter=userName eq "nobody@contoso.com"')
    assert (data["totalResults"], data["Resources"]) == (0, [])


def test_query_by_external_id(scim, user):
    """E-03 (TUTORIAL, matching attributes): Entra matches users on ``externalId eq``.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    data = search(scim, 'Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')
    assert [r["id"] for r in data["Resources"]] == [user["id"]]


def test_query_by_work_email_value_path(scim, user):
    """E-04 (TUTORIAL, "/Users" guidelines): ``emails[type eq "work"].value eq`` filters.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    email = user["emails"][0]["value"]
    data = search(scim, f'Users?filter=emails[type eq "work"].value eq "{email}"')
    assert [r["id"] for r in data["Resources"]] == [user["id"]]


def test_query_by_user_name_in_other_case(scim, user):
    """E-05 (validator "Filter for an existing user with a different case"; RFC 7643 §4.1.1:
    userName is case-insensitive).

    https://github.com/pranems/SCIMServer
    """
    data = search(scim, f'Users?filter=userName eq "{user["userName"].upper()}"')
    assert [r["id"] for r in data["Resources"]] == [user["id"]]


def test_group_read_and_query_exclude_members(scim, user):
    """E-06 (TUTORIAL, "Get Group" and "Get Group by displayName"): excludedAttributes=members
    leaves members out of both answers.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    group = new_group(scim, [user["id"]])
    one = read(scim, f"Groups/{group['id']}?excludedAttributes=members")
    assert "members" not in one
    assert one["displayName"] == "Sales"
    listed = search(scim, 'Groups?excludedAttributes=members&filter=displayName eq "Sales"')
    assert listed["totalResults"] == 1
    assert "members" not in listed["Resources"][0]


# -- create (E-07, E-08, E-16, E-22, E-25) ---------------------------------------------------


def test_create_user_as_entra_sends_it(scim):
    """E-07 (TUTORIAL, "Create User"): meta in the body is ignored, an empty ``roles`` and the
    enterprise URN without enterprise attributes are accepted; 201 with id and meta.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    response = scim.post("Users", entra_user())
    assert response.status_code == 201
    data = body(response)
    assert data["id"]
    assert data["userName"] == "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
    assert data["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert data["meta"]["resourceType"] == "User"
    assert data["meta"]["created"] and data["meta"]["lastModified"]
    assert response["Location"] == data["meta"]["location"]
    assert read(scim, f"Users/{data['id']}")["active"] is True


def test_create_user_with_nulls_and_misspelled_extension_urn(scim):
    """E-07 (TUTORIAL, older "Example 2"): nulls mean unassigned and the misspelled extension
    URN ``...:enterprise:2.0User`` is tolerated.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    payload = entra_user()
    payload["schemas"] = [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"]
    payload.update({"addresses": None, "phoneNumbers": None, "title": None, "manager": None})
    data = create(scim, payload)
    assert "title" not in data and "addresses" not in data


def test_create_duplicate_user_is_409_uniqueness(scim, user):
    """E-08 (validator "Create a duplicate User"; MS Postman "Post emp3 exists"): 409 with a
    SCIM Error carrying ``detail``; a copy differing only in case is a duplicate too.

    https://github.com/pranems/SCIMServer
    https://github.com/AzureAD/SCIMReferenceCode
    """
    for name in (user["userName"], user["userName"].lower()):
        payload = entra_user(name)
        payload["externalId"] = "another"
        response = scim.post("Users", payload)
        assert response.status_code == 409
        error = body(response)
        assert (error["schemas"], error["status"], error["scimType"]) == (
            [ERROR],
            "409",
            "uniqueness",
        )
        assert error["detail"]
    assert User.objects.count() == 1


def test_unknown_id_is_404(scim):
    """E-09 (TUTORIAL): GET of an unknown id is 404 with a string ``status``.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    response = scim.get("Users/5171a35d82074e068ce2")
    assert response.status_code == 404
    assert body(response)["status"] == "404"


def test_create_group_with_adscim_schema(scim):
    """E-16 (TUTORIAL, "Create Group"): the unregistered ADSCIM schema URN is tolerated and
    not echoed; the group is created with no members.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    response = scim.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA, ADSCIM_GROUP],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName",
            "meta": {"resourceType": "Group"},
        },
    )
    assert response.status_code == 201
    data = body(response)
    assert data["schemas"] == [GROUP_SCHEMA]
    assert data["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    assert not data.get("members")
    assert Group.objects.filter(name="displayName").exists()


def test_create_user_with_string_true_role_primary(scim):
    """E-22 (MAPPINGS; validator posts ``"primary":"True"``; MS Postman "Post emp1 with
    string \\"True\\""): string booleans are stored as JSON booleans.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/customize-application-attributes
    https://github.com/pranems/SCIMServer
    https://github.com/AzureAD/SCIMReferenceCode
    """
    payload = entra_user()
    payload["active"] = "True"
    payload["roles"] = [
        {"primary": "True", "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}
    ]
    data = create(scim, payload)
    assert data["active"] is True
    assert data["roles"] == [
        {"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}
    ]


def test_add_role_with_json_encoded_value_is_kept_opaque(scim, at):
    """E-22 (MAPPINGS, SingleAppRoleAssignment without the flag): the role ``value`` is a
    JSON-encoded string, kept as the opaque string it is (docs/dialects.md).

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/customize-application-attributes
    """
    encoded = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"R"}'
    after = patch_ok(scim, at, ops({"op": "Add", "path": "roles", "value": [{"value": encoded}]}))
    assert after["roles"] == [{"value": encoded}]


def test_create_user_with_pascal_case_keys(scim):
    """E-25 (MS Postman collection): ``UserName``, ``Active``, ``Primary``, ``Department`` and
    ``Manager.Value`` in any case are the same attributes (RFC 7643 §2.1).

    https://github.com/AzureAD/SCIMReferenceCode
    """
    manager = create(scim, entra_user("boss@contoso.com"))
    data = create(
        scim,
        {
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "UserName": "UserName123",
            "Active": True,
            "DisplayName": "BobIsAmazing",
            "Emails": [{"Primary": True, "Type": "work", "Value": "bob@contoso.com"}],
            ENTERPRISE_USER_SCHEMA: {"Department": "bob", "Manager": {"Value": manager["id"]}},
        },
    )
    assert data["userName"] == "UserName123"
    assert data["displayName"] == "BobIsAmazing"
    assert data["emails"] == [{"primary": True, "type": "work", "value": "bob@contoso.com"}]
    assert data[ENTERPRISE_USER_SCHEMA]["department"] == "bob"
    assert data[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == manager["id"]
    found = search(scim, 'Users?filter=DisplayName eq "BobIsAmazing"')
    assert found["totalResults"] == 1


# -- PATCH ops and booleans (E-10, E-11, E-12) ------------------------------------------------


@pytest.mark.parametrize("op", ["Add", "ADD", "add", "Replace", "REPLACE", "replace"])
def test_op_names_in_any_case(scim, at, op):
    """E-10 (TUTORIAL, "General"): Entra "emits the values of op as Add, Replace, and
    Remove"; every spelling behaves the same.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    after = patch_ok(scim, at, ops({"op": op, "path": "nickName", "value": "Babs"}))
    assert after["nickName"] == "Babs"


@pytest.mark.parametrize("op", ["Remove", "REMOVE", "remove"])
def test_remove_op_in_any_case(scim, at, op):
    """E-10 (TUTORIAL, "General"): ``Remove`` is ``remove``.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    patch_ok(scim, at, ops({"op": "Add", "path": "title", "value": "Boss"}))
    after = patch_ok(scim, at, ops({"op": op, "path": "title"}))
    assert "title" not in after


@pytest.mark.parametrize("value", ["False", "false", "FALSE", False])
def test_disable_user_with_string_or_boolean_false(scim, at, user, value):
    """E-11 (KNOWN_ISSUES, "Disable User" without the flag; TUTORIAL): ``"value":"False"``
    disables the user; GET and the userName filter both show ``active: false``.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    after = patch_ok(scim, at, ops({"op": "Replace", "path": "active", "value": value}))
    assert after["active"] is False
    found = search(scim, f'Users?filter=userName eq "{user["userName"]}"')
    assert found["Resources"][0]["active"] is False
    assert User.objects.get(username=user["userName"]).is_active is False


def test_disable_user_path_less_with_string_false(scim, at):
    """E-11 (pranems PATCH_SCALAR_BOOLEAN_COERCION.md): ``{"op":"Replace","value":
    {"active":"False"}}`` disables too.

    https://github.com/pranems/SCIMServer
    """
    after = patch_ok(scim, at, ops({"op": "Replace", "value": {"active": "False"}}))
    assert after["active"] is False


def test_enable_user_with_string_true(scim, at):
    """E-11 / E-32 (HOW_IT_WORKS, re-enable): ``"True"`` re-activates.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
    """
    patch_ok(scim, at, load_sample("entra-disable-user.json"))
    after = patch_ok(scim, at, ops({"op": "Replace", "path": "active", "value": "True"}))
    assert after["active"] is True


@pytest.mark.parametrize("value", ["yes", "0", "", "Falsey"])
def test_other_strings_for_active_are_invalid_value(scim, at, value):
    """E-11 (docs/dialects.md): only true/false strings are booleans; anything else is 400
    invalidValue and the user stays active.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    assert_rejected(
        scim, at, ops({"op": "Replace", "path": "active", "value": value}), 400, "invalidValue"
    )


def test_replace_several_attributes_one_op_each(scim, at):
    """E-12 (KNOWN_ISSUES, "Requests to replace multiple attributes", without the flag).

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    after = patch_ok(
        scim,
        at,
        ops(
            {"op": "Replace", "path": "displayName", "value": "Pvlo"},
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "TestBcwqnm@test.microsoft.com",
            },
            {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
            {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
            {"op": "Replace", "path": "externalId", "value": "Eqpj"},
            {"op": "Replace", "path": f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", "value": "Eqpj"},
        ),
    )
    assert after["displayName"] == "Pvlo"
    assert after["emails"] == [
        {"primary": True, "type": "work", "value": "TestBcwqnm@test.microsoft.com"}
    ]
    assert (after["name"]["givenName"], after["name"]["familyName"]) == ("Gtfd", "Pkqf")
    assert after["name"]["formatted"] == "givenName familyName"
    assert after["externalId"] == "Eqpj"
    assert after[ENTERPRISE_USER_SCHEMA]["employeeNumber"] == "Eqpj"


# -- path-less values with path keys (E-13) ----------------------------------------------------


def test_path_less_replace_with_dotted_and_urn_keys(scim, at):
    """E-13 (KNOWN_ISSUES, "With feature flag"): every key of the path-less value is an
    attribute path; ``name.givenName`` sets the sub-attribute, not a literal key.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    after = patch_ok(
        scim,
        at,
        ops(
            {
                "op": "replace",
                "path": 'emails[type eq "work"].value',
                "value": "TestMhvaes@test.microsoft.com",
            },
            {
                "op": "replace",
                "value": {
                    "displayName": "Bjfe",
                    "name.givenName": "Kkom",
                    "name.familyName": "Unua",
                    f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": "Aklq",
                },
            },
        ),
    )
    assert after["displayName"] == "Bjfe"
    assert after["name"] == {
        "formatted": "givenName familyName",
        "givenName": "Kkom",
        "familyName": "Unua",
    }
    assert after[ENTERPRISE_USER_SCHEMA] == {"employeeNumber": "Aklq"}
    assert after["emails"][0]["value"] == "TestMhvaes@test.microsoft.com"
    assert "name.givenName" not in after


def test_path_less_add_with_dotted_keys(scim, at):
    """E-13 (pond/scimitar#123, thomaspoignant/scim-patch#132): the same shape with ``add``.

    https://github.com/pond/scimitar/issues/123
    https://github.com/thomaspoignant/scim-patch/issues/132
    """
    after = patch_ok(
        scim,
        at,
        ops(
            {
                "op": "add",
                "value": {
                    "title": "Boss",
                    "name.givenName": "Ann",
                    "name.formatted": "Ann familyName",
                },
            }
        ),
    )
    assert after["title"] == "Boss"
    assert after["name"] == {
        "formatted": "Ann familyName",
        "givenName": "Ann",
        "familyName": "familyName",
    }


def test_path_less_extension_container_merges(scim, at):
    """E-13 (elimity-com/scim#204): keys nested under the extension URN merge with the
    extension's other attributes.

    https://github.com/elimity-com/scim/issues/204
    """
    patch_ok(
        scim,
        at,
        ops({"op": "Add", "path": f"{ENTERPRISE_USER_SCHEMA}:department", "value": "Sales"}),
    )
    after = patch_ok(
        scim,
        at,
        ops({"op": "replace", "value": {ENTERPRISE_USER_SCHEMA: {"organization": "SUSE"}}}),
    )
    assert after[ENTERPRISE_USER_SCHEMA] == {"department": "Sales", "organization": "SUSE"}


def test_partial_name_replace_keeps_other_sub_attributes(scim, at):
    """E-13 (pranems PATCH_NULL_HANDLING_RFC_COMPLIANCE.md): ``Replace name {familyName}``
    keeps givenName.

    https://github.com/pranems/SCIMServer
    """
    after = patch_ok(
        scim, at, ops({"op": "Replace", "path": "name", "value": {"familyName": "New"}})
    )
    assert after["name"]["givenName"] == "givenName"
    assert after["name"]["familyName"] == "New"


# -- value filters that match nothing (E-14) ---------------------------------------------------


def test_add_attributes_verbose_creates_one_element_per_filter(scim):
    """E-14 (validator "Patch User - Add Attributes Verbose Request", pranems
    SCIM_VALIDATOR_RESULTS_26_ANALYSIS.md): add through unmatched value filters creates one
    element satisfying each filter, whatever the number of ops; ``"True"`` in the filter is
    the boolean true.

    https://github.com/pranems/SCIMServer
    """
    bare = create(scim, {"schemas": [USER_SCHEMA], "userName": "verbose@contoso.com"})
    location = f"Users/{bare['id']}"
    after = patch_ok(
        scim,
        location,
        ops(
            {"op": "add", "path": "active", "value": True},
            {"op": "add", "path": "displayName", "value": "RJEXKNFYZKXS"},
            {"op": "add", "path": "title", "value": "AQRBJVCQOVZL"},
            {
                "op": "add",
                "path": 'emails[type eq "work"].value',
                "value": "broderick_ohara@blick.name",
            },
            {"op": "add", "path": 'emails[type eq "work"].primary', "value": True},
            {"op": "add", "path": "preferredLanguage", "value": "pa"},
            {"op": "add", "path": "name.givenName", "value": "Terrence"},
            {"op": "add", "path": "name.familyName", "value": "Brandi"},
            {"op": "add", "path": 'roles[primary eq "True"].display', "value": "TQBJFQYVJCAG"},
            {"op": "add", "path": 'roles[primary eq "True"].value', "value": "UOYTUVLKIPND"},
            {"op": "add", "path": 'roles[primary eq "True"].type', "value": "VGNBBCPQEMYC"},
            {"op": "add", "path": "userType", "value": "ZEKBCKVMSSHY"},
            {
                "op": "add",
                "path": f"{ENTERPRISE_USER_SCHEMA}:employeeNumber",
                "value": "LXDAHKZRQYLX",
            },
        ),
    )
    assert after["emails"] == [
        {"type": "work", "value": "broderick_ohara@blick.name", "primary": True}
    ]
    assert after["roles"] == [
        {
            "primary": True,
            "display": "TQBJFQYVJCAG",
            "value": "UOYTUVLKIPND",
            "type": "VGNBBCPQEMYC",
        }
    ]
    assert after["name"] == {"givenName": "Terrence", "familyName": "Brandi"}
    assert after[ENTERPRISE_USER_SCHEMA] == {"employeeNumber": "LXDAHKZRQYLX"}
    assert (after["title"], after["userType"], after["preferredLanguage"]) == (
        "AQRBJVCQOVZL",
        "ZEKBCKVMSSHY",
        "pa",
    )
    assert User.objects.get(username="verbose@contoso.com").email == "broderick_ohara@blick.name"


def test_replace_through_unmatched_filter_creates_the_element(scim, at):
    """E-14 (learn.microsoft.com/en-us/answers/questions/1373350: "In practice though, it
    could be either"): ``Replace emails[type eq "home"].value`` with no home email creates
    it (docs/dialects.md); the work email is untouched.

    https://learn.microsoft.com/en-us/answers/questions/1373350/
    """
    after = patch_ok(
        scim,
        at,
        ops({"op": "Replace", "path": 'emails[type eq "home"].value', "value": "h@contoso.com"}),
    )
    by_type = {e["type"]: e["value"] for e in after["emails"]}
    assert by_type == {
        "work": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee@testuser.com",
        "home": "h@contoso.com",
    }


def test_strict_client_gets_no_target_for_replace_through_unmatched_filter(
    scim, scim_client_record, at
):
    """docs/dialects.md "Strict clients" and RFC 7644 §3.5.2.3: with SCIMClient.strict the
    create-on-absent leniency is off and the RFC's 400 noTarget is answered, unchanged.

    https://learn.microsoft.com/en-us/answers/questions/1373350/
    """
    scim_client_record.strict = True
    scim_client_record.save()
    payload = ops(
        {"op": "Replace", "path": 'emails[type eq "home"].value', "value": "h@contoso.com"}
    )
    assert_rejected(scim, at, payload, 400, "noTarget")


def test_strict_client_still_gets_a_matched_replace(scim, scim_client_record, at):
    """docs/dialects.md: strictness only refuses the leniency; a filter that matches is
    applied as usual.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    scim_client_record.strict = True
    scim_client_record.save()
    after = patch_ok(
        scim, at, ops({"op": "replace", "path": 'emails[type eq "work"].value', "value": "w@x.y"})
    )
    assert after["emails"][0]["value"] == "w@x.y"


# -- manager (E-15) ----------------------------------------------------------------------------


def test_add_manager_as_bare_id(scim, at, others):
    """E-15 (Captain-P-Goldfish/SCIM-SDK#686; pranems MANAGER_PATCH_STRING_COERCION.md): the
    manager arrives as a bare id string and is returned in the complex form.

    https://github.com/pranems/SCIMServer
    https://github.com/Captain-P-Goldfish/SCIM-SDK/issues/686
    """
    after = patch_ok(scim, at, ops({"op": "add", "path": MANAGER, "value": others[0]}))
    assert after[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == others[0]


def test_add_manager_as_list_of_objects(scim, at, others):
    """E-15 (TUTORIAL, older "Example 5"): ``"path":"manager"`` with a one-element list of
    ``{"$ref", "value"}`` sets the manager.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    value = [{"$ref": f"http://testserver/scim/v2/Users/{others[0]}", "value": others[0]}]
    after = patch_ok(scim, at, ops({"op": "Add", "path": "manager", "value": value}))
    assert after[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == others[0]


def test_replace_manager_as_bare_id(scim, at, others):
    """E-15 (validator "Patch User - Replace Manager").

    https://github.com/pranems/SCIMServer
    """
    patch_ok(scim, at, ops({"op": "add", "path": MANAGER, "value": others[0]}))
    after = patch_ok(scim, at, ops({"op": "replace", "path": MANAGER, "value": others[1]}))
    assert after[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == others[1]


@pytest.mark.parametrize("empty", [{"value": ""}, "", None])
def test_remove_manager_with_empty_value(scim, at, others, empty):
    """E-15 (validator "Patch User - Remove Manager": ``replace`` with ``{"value":""}``, ``""``
    or ``null``): no manager attribute is left at all.

    https://github.com/pranems/SCIMServer
    """
    patch_ok(scim, at, ops({"op": "add", "path": MANAGER, "value": others[0]}))
    after = patch_ok(scim, at, ops({"op": "replace", "path": MANAGER, "value": empty}))
    assert "manager" not in after.get(ENTERPRISE_USER_SCHEMA, {})


def test_manager_filter_with_urn_qualified_path(scim, at, user, others):
    """E-15 (TUTORIAL, "Example 4"): Entra checks the manager with ``id eq`` and a manager
    condition, asking only for ``id``; the URN-qualified ``manager.value`` filters.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    patch_ok(scim, at, ops({"op": "add", "path": MANAGER, "value": others[0]}))
    query = f'id eq "{user["id"]}" and {ENTERPRISE_USER_SCHEMA}:manager.value eq "{others[0]}"'
    data = search(scim, f"Users?filter={query}&attributes=id")
    assert [r["id"] for r in data["Resources"]] == [user["id"]]
    assert set(data["Resources"][0]) <= {"schemas", "id"}
    other = f'{ENTERPRISE_USER_SCHEMA}:manager.value eq "{others[1]}"'
    assert search(scim, f"Users?filter={other}")["totalResults"] == 0


def test_manager_filter_unqualified(scim, at, user, others):
    """E-15 (TUTORIAL, "Example 4", wire format inferred): ``id eq "<user>" and manager eq
    "<manager>"`` filters on ``manager.value`` of the enterprise extension.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    patch_ok(scim, at, ops({"op": "add", "path": MANAGER, "value": others[0]}))
    query = f'id eq "{user["id"]}" and manager eq "{others[0]}"'
    data = search(scim, f"Users?filter={query}&attributes=id")
    assert [r["id"] for r in data["Resources"]] == [user["id"]]
    assert search(scim, f'Users?filter=manager eq "{others[1]}"')["totalResults"] == 0


# -- groups (E-17, E-18, E-19) -----------------------------------------------------------------


def test_add_members_with_null_ref_many_per_op(scim, others):
    """E-17 (TUTORIAL, "Update Group [Add Members]"; GALLERY "multiple group memberships with
    a single PATCH"): ``$ref: null`` is accepted, several members per op.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/app-gallery-user-provisioning-requirements
    """
    group = new_group(scim)
    value = [{"$ref": None, "value": member} for member in others]
    patch_ok(scim, f"Groups/{group['id']}", ops({"op": "Add", "path": "members", "value": value}))
    assert member_ids(scim, group["id"]) == sorted(others)


def test_repeated_add_member_is_a_no_op(scim, others):
    """E-17 (Microsoft Q&A "repeating requests"; J-02 for JumpCloud): adding an existing
    member again is 2xx with one membership row.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    https://github.com/simpleidserver/SimpleIdServer/issues/245
    """
    group = new_group(scim, [others[0]])
    payload = ops({"op": "Add", "path": "members", "value": [{"$ref": None, "value": others[0]}]})
    for _ in range(2):
        patch_ok(scim, f"Groups/{group['id']}", payload)
    assert member_ids(scim, group["id"]) == [others[0]]
    assert Group.objects.get(name="Sales").user_set.count() == 1


def test_add_unknown_member_is_invalid_value_and_changes_nothing(scim, others):
    """E-17 (docs/dialects.md; Metatavu/keycloak-scim-server#107): an id naming no user is
    400 invalidValue and the other members of the op are not added either.

    https://github.com/Metatavu/keycloak-scim-server/issues/107
    """
    group = new_group(scim, [others[0]])
    payload = ops(
        {
            "op": "Add",
            "path": "members",
            "value": [{"value": others[1]}, {"value": "f648f8d5ea4e4cd38e9c"}],
        }
    )
    assert_rejected(scim, f"Groups/{group['id']}", payload, 400, "invalidValue")
    assert member_ids(scim, group["id"]) == [others[0]]


def test_remove_members_with_value_list_removes_only_those(scim, others):
    """E-18 (KNOWN_ISSUES, "Remove group member" without the flag): ``Remove`` on ``members``
    with a ``value`` list removes only the listed members (not the whole group).

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    group = new_group(scim, others)
    payload = ops(
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": others[1]}]}
    )
    patch_ok(scim, f"Groups/{group['id']}", payload)
    assert member_ids(scim, group["id"]) == sorted([others[0], others[2]])


def test_remove_member_with_value_filter(scim, others):
    """E-18 (KNOWN_ISSUES and TUTORIAL "Update Group [Remove Members]", with the flag).

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    group = new_group(scim, others)
    payload = ops({"op": "remove", "path": f'members[value eq "{others[0]}"]'})
    patch_ok(scim, f"Groups/{group['id']}", payload)
    assert member_ids(scim, group["id"]) == sorted(others[1:])


def test_remove_members_without_value_empties_the_group(scim, others):
    """E-18 (MS Postman "Patch remove all users"; RFC 7644 §3.5.2.2).

    https://github.com/AzureAD/SCIMReferenceCode
    """
    group = new_group(scim, others)
    patch_ok(scim, f"Groups/{group['id']}", ops({"op": "Remove", "path": "members"}))
    assert member_ids(scim, group["id"]) == []


def test_update_group_display_name(scim, others):
    """E-19 (TUTORIAL, "Update Group [Non-member attributes]"): members are kept.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    group = new_group(scim, others[:1])
    after = patch_ok(
        scim,
        f"Groups/{group['id']}",
        ops({"op": "Replace", "path": "displayName", "value": "1879db59-updatedDisplayName"}),
    )
    assert after["displayName"] == "1879db59-updatedDisplayName"
    assert member_ids(scim, group["id"]) == others[:1]


def test_update_group_path_less_and_external_id(scim):
    """E-19 (pranems SCIM_VALIDATOR_RESULTS_26_ANALYSIS.md §12): path-less displayName
    replace, and the "Update externalId" test.

    https://github.com/pranems/SCIMServer
    """
    group = new_group(scim)
    after = patch_ok(
        scim,
        f"Groups/{group['id']}",
        ops(
            {"op": "replace", "value": {"displayName": "FGUMMHRSNONL"}},
            {"op": "Replace", "path": "externalId", "value": "ext-42"},
        ),
    )
    assert (after["displayName"], after["externalId"]) == ("FGUMMHRSNONL", "ext-42")


def test_group_patch_answers_204_when_configured(scim, settings, others):
    """E-17 (TUTORIAL, "Group Operations": a group PATCH "should yield an HTTP 204 No
    Content"): PATCH_NO_CONTENT = ["Group"] (docs/dialects.md).

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    settings.SCIM = {"PATCH_NO_CONTENT": ["Group"]}
    group = new_group(scim)
    response = scim.patch(
        f"Groups/{group['id']}",
        ops({"op": "Add", "path": "members", "value": [{"$ref": None, "value": others[0]}]}),
    )
    assert response.status_code == 204
    assert member_ids(scim, group["id"]) == [others[0]]


# -- lifecycle (E-20, E-29, E-32) --------------------------------------------------------------


def test_delete_user_then_404(scim, at, user):
    """E-20 (validator "Delete a User", "Delete the same User twice"): 204, then 404, and a
    filter finds nothing.

    https://github.com/pranems/SCIMServer
    """
    response = scim.delete(at)
    assert response.status_code == 204
    assert response.content == b""
    assert scim.get(at).status_code == 404
    assert scim.delete(at).status_code == 404
    found = search(scim, f'Users?filter=userName eq "{user["userName"]}"')
    assert found["totalResults"] == 0


@pytest.mark.parametrize("empty", ["", None])
def test_null_update_clears_the_attribute(scim, at, empty):
    """E-29 (gallery SCIM_Null_Update_Test): ``replace title ""`` or ``null`` clears title.

    https://github.com/AzureAD/SCIMReferenceCode
    """
    patch_ok(scim, at, ops({"op": "Add", "path": "title", "value": "Boss"}))
    after = patch_ok(scim, at, ops({"op": "replace", "path": "title", "value": empty}))
    assert "title" not in after


def test_null_user_name_is_refused(scim, at):
    """E-29 (TUTORIAL; RFC 7643 §4.1.1 userName is required): setting it to null is 400,
    and the user keeps its name.

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    before = read(scim, at)
    response = scim.patch(at, ops({"op": "replace", "path": "userName", "value": None}))
    assert response.status_code == 400
    assert body(response)["scimType"] in ("invalidValue", "mutability")
    assert read(scim, at) == before


def test_disabled_user_stays_readable_and_filterable(scim, at, user):
    """E-32 (TUTORIAL requirement table: "The user object should be returned in a request
    whether or not the user is active").

    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    patch_ok(scim, at, load_sample("entra-disable-user.json"))
    assert read(scim, at)["active"] is False
    found = search(scim, 'Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')
    assert [(r["id"], r["active"]) for r in found["Resources"]] == [(user["id"], False)]
