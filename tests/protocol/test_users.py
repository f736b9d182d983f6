"""Users over HTTP: create, read, list, replace, delete (RFC 7644 §3.1-§3.4.1, §3.6)
and the User resource of RFC 7643 §2-§4.

Each test states one behaviour; the docstring quotes the section that asks for it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model

from django_scim.constants import ENTERPRISE_USER_SCHEMA, LIST_RESPONSE, PATCH_OP, USER_SCHEMA
from django_scim.models import ResourceRecord
from tests.conftest import assert_scim_error, body, ops
from tests.factories import GroupFactory, UserFactory

SCIM_JSON = "application/scim+json"

User = get_user_model()

# An X.509 certificate is base64 DER; any valid base64 will do for a round-trip.
CERT = "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVM="


def full_user(user_name: str = "bjensen", manager_id: str | None = None) -> dict:
    """Every writable User attribute of RFC 7643 §4.1 and the enterprise extension (§4.3)."""
    data = {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "externalId": "ext-bjensen-1",
        "userName": user_name,
        "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "III",
        },
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.test/bjensen",
        "title": "Tour Guide",
        "userType": "Employee",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": True,
        "emails": [
            {"value": "bjensen@example.test", "type": "work", "primary": True},
            {"value": "babs@corp.local", "type": "home"},
        ],
        "phoneNumbers": [
            {"value": "555-555-5555", "type": "work"},
            {"value": "555-555-4444", "type": "mobile"},
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [
            {"value": "https://photos.example.test/profilephoto/72930000000Ccne/F", "type": "photo"}
        ],
        "addresses": [
            {
                "type": "work",
                "streetAddress": "100 Universal City Plaza",
                "locality": "Hollywood",
                "region": "CA",
                "postalCode": "91608",
                "country": "USA",
                "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA",
                "primary": True,
            }
        ],
        "x509Certificates": [{"value": CERT}],
        "entitlements": [{"value": "vpn-access", "type": "network"}],
        "roles": [{"value": "tour-guide", "type": "job", "primary": True}],
        ENTERPRISE_USER_SCHEMA: {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "organization": "Universal Studios",
            "division": "Theme Park",
            "department": "Tour Operations",
        },
    }
    if manager_id:
        data[ENTERPRISE_USER_SCHEMA]["manager"] = {
            "value": manager_id,
            "$ref": f"http://testserver/scim/v2/Users/{manager_id}",
        }
    return data


ROUND_TRIP_KEYS = (
    "externalId",
    "userName",
    "name",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "x509Certificates",
    "entitlements",
    "roles",
)


def assert_same_attributes(sent: dict, got: dict) -> None:
    for key in ROUND_TRIP_KEYS:
        assert got[key] == sent[key], key
    assert got[ENTERPRISE_USER_SCHEMA] == sent[ENTERPRISE_USER_SCHEMA]
    assert set(got["schemas"]) == {USER_SCHEMA, ENTERPRISE_USER_SCHEMA}


def create(scim, user_name: str = "bjensen", **extra) -> dict:
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": user_name, **extra})
    assert response.status_code == 201, response.content
    return body(response)


def listed_id(scim, user_name: str) -> str:
    data = body(scim.get("Users", {"filter": f'userName eq "{user_name}"'}))
    assert data["totalResults"] == 1
    return data["Resources"][0]["id"]


# -- create (§3.3) -----------------------------------------------------------------


def test_post_answers_201_with_location_equal_to_meta_location(scim):
    """RFC 7644 §3.3: "the server SHALL return a 201 (Created) ... the response body SHOULD
    contain the service provider's representation of the newly created resource. The URI of
    the created resource SHALL ... be in the HTTP "Location" header ... and meta.location"."""
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    assert response.status_code == 201
    data = body(response)
    assert response["Location"] == data["meta"]["location"]
    assert data["meta"]["location"] == f"http://testserver/scim/v2/Users/{data['id']}"
    assert data["userName"] == "bjensen"


def test_post_returns_complete_meta(scim):
    """RFC 7643 §3.1: meta carries resourceType, created, lastModified, location and
    version; created and lastModified are xsd:dateTime values."""
    data = create(scim)
    meta = data["meta"]
    assert meta["resourceType"] == "User"
    created = datetime.fromisoformat(meta["created"].replace("Z", "+00:00"))
    modified = datetime.fromisoformat(meta["lastModified"].replace("Z", "+00:00"))
    assert created.tzinfo is not None and modified >= created
    assert meta["version"].startswith('W/"')


def test_id_is_a_uuid_and_not_the_database_key(scim):
    """RFC 7643 §3.1: id is "a unique identifier for a SCIM resource as defined by the
    service provider ... stable, non-reassignable"; here a UUID, never the row's pk."""
    data = create(scim)
    assert str(uuid.UUID(data["id"])) == data["id"]
    user = User.objects.get(username="bjensen")
    assert data["id"] != str(user.pk)
    assert ResourceRecord.objects.get(resource_type="User", object_pk=str(user.pk)).id == (
        uuid.UUID(data["id"])
    )


def test_post_response_has_user_schema(scim):
    """RFC 7643 §3: every resource carries "schemas" naming its core schema URN."""
    assert create(scim)["schemas"] == [USER_SCHEMA]


def test_every_attribute_round_trips_through_post_and_get(scim):
    """RFC 7643 §4.1 and §4.3: every attribute of the User and Enterprise User schemas
    sent in a POST comes back, unchanged, from the POST and a later GET."""
    manager_id = create(scim, "boss")["id"]
    sent = full_user(manager_id=manager_id)
    response = scim.post("Users", sent)
    assert response.status_code == 201, response.content
    assert_same_attributes(sent, body(response))
    fetched = body(scim.get(f"Users/{body(response)['id']}"))
    assert_same_attributes(sent, fetched)
    assert fetched[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == manager_id


def test_every_attribute_round_trips_through_put(scim):
    """RFC 7644 §3.5.1: PUT replaces the resource's attributes; what is sent is what is
    then returned, for every attribute including the enterprise extension."""
    user_id = create(scim, "bjensen")["id"]
    manager_id = create(scim, "boss")["id"]
    sent = full_user("bjensen", manager_id)
    sent["title"] = "Chief Guide"
    sent["phoneNumbers"] = [{"value": "555-000-1111", "type": "fax"}]
    sent[ENTERPRISE_USER_SCHEMA]["department"] = "Security"
    response = scim.put(f"Users/{user_id}", sent)
    assert response.status_code == 200, response.content
    assert_same_attributes(sent, body(response))
    assert_same_attributes(sent, body(scim.get(f"Users/{user_id}")))


def test_put_drops_attributes_it_omits(scim):
    """RFC 7644 §3.5.1: "attributes not included in the request ... SHALL be cleared"
    (for readWrite attributes the client omitted)."""
    user_id = create(scim, title="Guide", nickName="Babs")["id"]
    response = scim.put(f"Users/{user_id}", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    assert response.status_code == 200
    data = body(scim.get(f"Users/{user_id}"))
    assert "title" not in data and "nickName" not in data


def test_model_columns_hold_the_mapped_attributes(scim):
    """The default adapter maps userName, name, primary email and active onto
    django.contrib.auth columns, so the rest of the site sees SCIM's changes."""
    scim.post("Users", full_user())
    user = User.objects.get(username="bjensen")
    assert (user.first_name, user.last_name, user.email, user.is_active) == (
        "Barbara",
        "Jensen",
        "bjensen@example.test",
        True,
    )


# -- uniqueness, required, types (RFC 7643 §2, §7; RFC 7644 §3.3, §3.12) --------------


def test_user_name_clash_is_409_uniqueness(scim):
    """RFC 7644 §3.3: "If the service provider determines that the creation of the
    requested resource conflicts with existing resources (e.g., a "User" resource with a
    duplicate "userName"), the service provider MUST return HTTP status code 409"."""
    create(scim, "bjensen")
    before = User.objects.count()
    assert_scim_error(scim.post("Users", {"userName": "bjensen"}), 409, "uniqueness")
    assert User.objects.count() == before


def test_user_name_uniqueness_ignores_case(scim):
    """RFC 7643 §4.1.1: userName has caseExact false and uniqueness server, so BJensen
    clashes with bjensen (409 uniqueness, no database message in the body)."""
    create(scim, "bjensen")
    data = assert_scim_error(scim.post("Users", {"userName": "BJensen"}), 409, "uniqueness")
    assert "constraint" not in data["detail"].lower()
    assert User.objects.filter(username__iexact="bjensen").count() == 1


def test_put_to_another_users_name_is_409(scim):
    """RFC 7644 §3.12: 409 uniqueness for a PUT that would duplicate a unique attribute;
    the resource keeps its old name."""
    create(scim, "bjensen")
    other = create(scim, "jsmith")["id"]
    assert_scim_error(scim.put(f"Users/{other}", {"userName": "BJENSEN"}), 409, "uniqueness")
    assert body(scim.get(f"Users/{other}"))["userName"] == "jsmith"


def test_missing_user_name_is_400_invalid_value(scim):
    """RFC 7643 §4.1.1: userName is REQUIRED; RFC 7644 §3.12: a missing required value
    is 400 invalidValue."""
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "displayName": "Nobody"})
    assert_scim_error(response, 400, "invalidValue")
    assert not User.objects.exists()


def test_empty_user_name_is_400_invalid_value(scim):
    """RFC 7643 §2.5: an empty string is "unassigned", so a required userName of "" is
    missing (RFC 7644 §3.12 invalidValue)."""
    assert_scim_error(scim.post("Users", {"userName": ""}), 400, "invalidValue")


@pytest.mark.parametrize(
    "attributes",
    [
        {"userName": 42},
        {"userName": ["bjensen"]},
        {"userName": "bjensen", "active": 5},
        {"userName": "bjensen", "active": "maybe"},
        {"userName": "bjensen", "name": "Barbara Jensen"},
        {"userName": "bjensen", "emails": "bjensen@example.test"},
        {"userName": "bjensen", "emails": [{"value": 7}]},
        {"userName": "bjensen", "emails": [{"value": "b@x.test", "primary": "yes"}]},
        {"userName": "bjensen", "x509Certificates": [{"value": "not base64!"}]},
        {"userName": "bjensen", ENTERPRISE_USER_SCHEMA: "Sales"},
        {"userName": "bjensen", ENTERPRISE_USER_SCHEMA: {"manager": 12}},
        {"userName": "bjensen", "title": {"value": "Guide"}},
    ],
    ids=lambda value: json.dumps(value)[:60],
)
def test_wrong_attribute_type_is_400_invalid_value(scim, attributes):
    """RFC 7643 §2.3: each attribute has a data type; RFC 7644 §3.12: a value "not
    compatible with the attribute type" is 400 invalidValue, and nothing is created."""
    response = scim.post("Users", {"schemas": [USER_SCHEMA], **attributes})
    assert_scim_error(response, 400, "invalidValue")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("sent", "stored"), [("True", True), ("False", False), ("true", True), ("false", False)]
)
def test_boolean_strings_are_accepted_for_active(scim, sent, stored):
    """Entra ID sends booleans as "True"/"False" strings; they are taken as the booleans
    of RFC 7643 §2.3.2."""
    data = create(scim, active=sent)
    assert data["active"] is stored
    assert User.objects.get(username="bjensen").is_active is stored


def test_read_only_id_meta_and_groups_in_post_are_ignored(scim):
    """RFC 7643 §2.2: readOnly attributes "SHALL be ignored" when sent by a client: id,
    meta and groups in a POST change nothing."""
    group = GroupFactory(name="Admins")
    forged = str(uuid.uuid4())
    data = create(
        scim,
        id=forged,
        meta={
            "resourceType": "Group",
            "created": "2001-01-01T00:00:00Z",
            "location": "https://evil.test/x",
        },
        groups=[{"value": forged, "display": "Admins"}],
    )
    assert data["id"] != forged
    assert data["meta"]["resourceType"] == "User"
    assert data["meta"]["location"].endswith(data["id"])
    assert "groups" not in data
    assert not group.user_set.exists()


def test_read_only_id_in_put_is_ignored(scim):
    """RFC 7643 §2.2 / RFC 7644 §3.5.1: a PUT may carry id and meta (clients echo the
    resource); they are ignored and the id stays."""
    user_id = create(scim)["id"]
    response = scim.put(
        f"Users/{user_id}",
        {"id": str(uuid.uuid4()), "userName": "bjensen", "meta": {"version": 'W/"x"'}},
    )
    assert response.status_code == 200
    assert body(response)["id"] == user_id


# -- password (RFC 7643 §4.1.1) ----------------------------------------------------------


def test_password_is_never_returned(scim):
    """RFC 7643 §4.1.1: password has returned "never": not in the POST answer, a GET, a
    list, nor when asked for with attributes=password."""
    data = create(scim, password="t1meMa$heen")
    assert "password" not in data
    assert "password" not in body(scim.get(f"Users/{data['id']}"))
    assert "password" not in body(scim.get(f"Users/{data['id']}", {"attributes": "password"}))
    listed = body(scim.get("Users"))["Resources"]
    assert all("password" not in r for r in listed)
    assert b"t1meMa$heen" not in scim.get("Users").content


def test_password_is_stored_hashed(scim):
    """RFC 7643 §7: a password "SHOULD be ... hashed"; it is set through the site's
    hashers and the clear text is stored nowhere."""
    create(scim, password="t1meMa$heen")
    user = User.objects.get(username="bjensen")
    assert user.password != "t1meMa$heen"
    assert user.check_password("t1meMa$heen")
    record = ResourceRecord.objects.get(resource_type="User", object_pk=str(user.pk))
    assert "t1meMa$heen" not in json.dumps(record.attributes)


def test_put_with_new_password_changes_it(scim):
    """RFC 7643 §4.1.1: password is writeOnly: a PUT may set it (changePassword)."""
    user_id = create(scim, password="first-password")["id"]
    scim.put(f"Users/{user_id}", {"userName": "bjensen", "password": "second-password"})
    assert User.objects.get(username="bjensen").check_password("second-password")


# -- e-mail domains ------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["a@example.test", "ops@corp.local", "x@localhost"])
def test_email_domains_are_never_rejected(scim, address):
    """RFC 7643 §4.1.2: emails are free-form strings (RFC 5321 canonical form); internal
    and reserved domains such as example.test and corp.local are accepted."""
    data = create(scim, emails=[{"value": address, "primary": True}])
    assert data["emails"][0]["value"] == address
    assert User.objects.get(username="bjensen").email == address


# -- users that existed before SCIM ------------------------------------------------------


def test_pre_existing_user_is_listed(scim):
    """Users created outside SCIM (no side row yet) are part of the collection
    (RFC 7644 §3.4.2: a query returns all matching resources)."""
    UserFactory(username="legacy", email="legacy@example.test")
    data = body(scim.get("Users"))
    assert data["totalResults"] == 1
    resource = data["Resources"][0]
    assert resource["userName"] == "legacy"
    assert resource["emails"] == [{"value": "legacy@example.test", "primary": True}]
    uuid.UUID(resource["id"])


def test_pre_existing_user_is_found_by_user_name_filter(scim):
    """RFC 7644 §3.4.2.2: filter userName eq works for a user the app never saw."""
    UserFactory(username="legacy")
    UserFactory(username="other")
    data = body(scim.get("Users", {"filter": 'userName eq "LEGACY"'}))
    assert [r["userName"] for r in data["Resources"]] == ["legacy"]


def test_pre_existing_user_can_be_fetched_by_its_id(scim):
    """RFC 7644 §3.4.1: the id a listing gave is stable and retrievable."""
    UserFactory(username="legacy")
    user_id = listed_id(scim, "legacy")
    response = scim.get(f"Users/{user_id}")
    assert response.status_code == 200
    assert body(response)["id"] == user_id
    assert listed_id(scim, "legacy") == user_id


def test_pre_existing_user_can_be_replaced(scim):
    """RFC 7644 §3.5.1: PUT works on a user created outside SCIM."""
    legacy = UserFactory(username="legacy")
    user_id = listed_id(scim, "legacy")
    response = scim.put(
        f"Users/{user_id}",
        {
            "userName": "legacy",
            "title": "Ranger",
            "name": {"givenName": "Leg", "familyName": "Acy"},
        },
    )
    assert response.status_code == 200
    legacy.refresh_from_db()
    assert (legacy.first_name, legacy.last_name) == ("Leg", "Acy")
    assert body(scim.get(f"Users/{user_id}"))["title"] == "Ranger"


# -- groups attribute (RFC 7643 §4.1.2) ----------------------------------------------------


def test_groups_attribute_reflects_memberships(scim):
    """RFC 7643 §4.1.2: groups lists the groups the user belongs to, with value (the
    group's id), $ref, display and type "direct"."""
    user_id = create(scim)["id"]
    group = GroupFactory(name="Tour Guides", members=[User.objects.get(username="bjensen")])
    group_id = body(scim.get("Groups", {"filter": 'displayName eq "Tour Guides"'}))["Resources"][0][
        "id"
    ]
    groups = body(scim.get(f"Users/{user_id}"))["groups"]
    assert groups == [
        {
            "value": group_id,
            "$ref": f"http://testserver/scim/v2/Groups/{group_id}",
            "display": group.name,
            "type": "direct",
        }
    ]


def test_groups_attribute_is_read_only_in_put(scim):
    """RFC 7643 §4.1.2: groups is readOnly ("changes ... MUST be applied via the Group
    Resource"); a PUT sending groups leaves memberships as they are."""
    user_id = create(scim)["id"]
    user = User.objects.get(username="bjensen")
    kept = GroupFactory(name="Kept", members=[user])
    GroupFactory(name="Other")
    response = scim.put(f"Users/{user_id}", {"userName": "bjensen", "groups": []})
    assert response.status_code == 200
    assert list(user.groups.all()) == [kept]


def test_patch_of_groups_is_400_mutability(scim):
    """RFC 7644 §3.5.2: modifying a readOnly attribute is 400 mutability."""
    user_id = create(scim)["id"]
    group = GroupFactory(name="Admins")
    group_id = body(scim.get("Groups"))["Resources"][0]["id"]
    response = scim.patch(
        f"Users/{user_id}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "groups", "value": [{"value": group_id}]}],
        },
    )
    assert_scim_error(response, 400, "mutability")
    assert not group.user_set.exists()


def test_deleting_a_user_removes_it_from_its_groups(scim):
    """RFC 7644 §3.6: a deleted resource is gone, so it is no member of any group."""
    user_id = create(scim)["id"]
    group = GroupFactory(name="Admins", members=[User.objects.get(username="bjensen")])
    assert scim.delete(f"Users/{user_id}").status_code == 204
    assert not group.user_set.exists()
    group_doc = body(scim.get("Groups"))["Resources"][0]
    assert "members" not in group_doc


# -- paging (RFC 7644 §3.4.2.4) ----------------------------------------------------------


@pytest.fixture
def five_users(db):
    return UserFactory.create_batch(5)


def page(scim, **params) -> dict:
    response = scim.get("Users", params)
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["schemas"] == [LIST_RESPONSE]
    assert data["itemsPerPage"] == len(data.get("Resources", []))
    return data


def test_start_index_is_one_based(scim, five_users):
    """RFC 7644 §3.4.2.4: "startIndex: The 1-based index of the first query result"."""
    everyone = [r["userName"] for r in page(scim)["Resources"]]
    data = page(scim, startIndex=2, count=2)
    assert data["startIndex"] == 2
    assert [r["userName"] for r in data["Resources"]] == everyone[1:3]
    assert data["totalResults"] == 5


@pytest.mark.parametrize("start", [0, -3])
def test_start_index_below_one_means_one(scim, five_users, start):
    """RFC 7644 §3.4.2.4: "A value less than 1 SHALL be interpreted as 1"."""
    data = page(scim, startIndex=start)
    assert data["startIndex"] == 1
    assert len(data["Resources"]) == 5


def test_negative_count_means_zero(scim, five_users):
    """RFC 7644 §3.4.2.4: "A negative value SHALL be interpreted as 0"."""
    data = page(scim, count=-1)
    assert data["totalResults"] == 5
    assert data.get("Resources", []) == []


def test_count_zero_returns_total_results_only(scim, five_users):
    """RFC 7644 §3.4.2.4: "A value of "0" indicates that no resource results are to be
    returned except for "totalResults"."""
    data = page(scim, count=0)
    assert data["totalResults"] == 5
    assert data["itemsPerPage"] == 0
    assert data.get("Resources", []) == []


def test_count_is_capped_at_max_results(scim, five_users, settings):
    """RFC 7644 §3.4.2.4: count is a maximum the provider may lower; it never returns more
    than MAX_RESULTS (its advertised filter.maxResults)."""
    settings.SCIM = {"MAX_RESULTS": 3}
    data = page(scim, count=50)
    assert len(data["Resources"]) == 3
    assert data["totalResults"] == 5


def test_start_index_past_the_end_is_an_empty_page(scim, five_users):
    """RFC 7644 §3.4.2.4: a page past the last result holds no resources; totalResults
    still counts them all."""
    data = page(scim, startIndex=99)
    assert data["totalResults"] == 5
    assert data.get("Resources", []) == []


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [(1, 5, 5), (1, 6, 5), (4, 2, 2), (4, 10, 2), (5, 1, 1), (6, 3, 0), (3, 0, 0)],
)
def test_total_results_counts_every_match_on_any_page(scim, five_users, start, count, expected):
    """RFC 7644 §3.4.2.4: totalResults is the number of results of the whole query,
    whichever page is asked for: a page that fits exactly, a short last page, the page
    just past the end and count=0 all report 5."""
    data = page(scim, startIndex=start, count=count)
    assert data["totalResults"] == 5
    assert data["itemsPerPage"] == expected


@pytest.mark.parametrize("params", [{"count": "ten"}, {"startIndex": "1.5"}, {"count": "0x10"}])
def test_non_integer_paging_is_400_invalid_value(scim, params):
    """RFC 7644 §3.4.2.4: startIndex and count are integers; anything else is 400
    invalidValue (RFC 7644 §3.12)."""
    assert_scim_error(scim.get("Users", params), 400, "invalidValue")


def test_pages_walk_the_whole_collection_without_repeats(scim, five_users):
    """RFC 7644 §3.4.2.4: consecutive pages of a stable collection cover each result once."""
    seen = []
    for start in (1, 3, 5):
        seen += [r["id"] for r in page(scim, startIndex=start, count=2)["Resources"]]
    assert len(seen) == len(set(seen)) == 5


# -- media types (RFC 7644 §3.1, §8.1) --------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/scim+json",
        "application/json",
        "application/scim+json; charset=utf-8",
        "application/json; charset=UTF-8",
    ],
)
def test_request_media_types_accepted(scim, content_type):
    """RFC 7644 §8.1: clients send application/scim+json; application/json is accepted too
    (RFC 7644 §3.1), with or without a charset parameter; the answer is
    application/scim+json."""
    response = scim.post("Users", json.dumps({"userName": "bjensen"}), content_type=content_type)
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == SCIM_JSON


def test_responses_are_scim_json_even_for_accept_json(scim):
    """RFC 7644 §8.1: the response media type is application/scim+json."""
    create(scim)
    assert scim.get("Users", HTTP_ACCEPT="application/json")["Content-Type"] == SCIM_JSON


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_unsupported_media_type_is_415(scim, content_type):
    """RFC 7644 §3.12 / RFC 7231 §6.5.13: a body in a media type the endpoint does not
    take is 415, as a SCIM Error, and nothing is created."""
    response = scim.post("Users", json.dumps({"userName": "bjensen"}), content_type=content_type)
    assert_scim_error(response, 415)
    assert not User.objects.exists()


# -- delete (§3.6) --------------------------------------------------------------------


def test_delete_is_204_then_get_is_404(scim):
    """RFC 7644 §3.6: "the service provider responds with HTTP status code 204 (No
    Content)" and "the service provider MUST return a 404 (Not Found) error code for all
    operations associated with the previously deleted resource"."""
    user_id = create(scim)["id"]
    response = scim.delete(f"Users/{user_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert_scim_error(scim.get(f"Users/{user_id}"), 404)
    assert_scim_error(scim.put(f"Users/{user_id}", {"userName": "bjensen"}), 404)
    assert_scim_error(scim.delete(f"Users/{user_id}"), 404)
    assert not User.objects.exists()
    assert not ResourceRecord.objects.filter(resource_type="User").exists()


def test_a_user_deleted_outside_scim_is_404_though_its_side_row_remains(scim):
    """RFC 7644 §3.12: 404 when the "specified resource ... does not exist". A user
    deleted with the ORM or the admin leaves its side row behind; the resource is gone
    all the same, for every operation by id."""
    user_id = create(scim)["id"]
    User.objects.all().delete()
    assert ResourceRecord.objects.filter(resource_type="User").exists()
    patch = ops({"op": "replace", "path": "active", "value": False})
    assert_scim_error(scim.get(f"Users/{user_id}"), 404)
    assert_scim_error(scim.put(f"Users/{user_id}", {"userName": "bjensen"}), 404)
    assert_scim_error(scim.patch(f"Users/{user_id}", patch), 404)
    assert_scim_error(scim.delete(f"Users/{user_id}"), 404)
    assert not User.objects.exists()


def test_delete_in_deactivate_mode_keeps_an_inactive_user(scim, settings):
    """DELETE_MODE "deactivate": DELETE answers 204 (RFC 7644 §3.6) but the user stays,
    readable with active false, and out of its groups."""
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    user_id = create(scim)["id"]
    group = GroupFactory(name="Admins", members=[User.objects.get(username="bjensen")])
    assert scim.delete(f"Users/{user_id}").status_code == 204
    user = User.objects.get(username="bjensen")
    assert user.is_active is False
    assert not group.user_set.exists()
    data = body(scim.get(f"Users/{user_id}"))
    assert data["active"] is False


# -- attributes / excludedAttributes (RFC 7644 §3.4.2.5, §3.9) -------------------------------


def resource_keys(data: dict) -> set[str]:
    return set(data) - {"schemas"}


def test_attributes_on_get_one(scim):
    """RFC 7644 §3.4.2.5: attributes lists the attributes to return; id (returned
    "always") comes anyway."""
    user_id = create(scim, title="Guide", nickName="Babs")["id"]
    data = body(scim.get(f"Users/{user_id}", {"attributes": "userName,title"}))
    assert resource_keys(data) == {"id", "userName", "title"}


def test_excluded_attributes_on_get_one(scim):
    """RFC 7644 §3.4.2.5: excludedAttributes removes attributes returned by default;
    those returned "always" (id) cannot be excluded."""
    user_id = create(scim, title="Guide")["id"]
    data = body(scim.get(f"Users/{user_id}", {"excludedAttributes": "title,id,meta"}))
    assert "title" not in data and "meta" not in data
    assert data["id"] == user_id
    assert data["userName"] == "bjensen"


def test_sub_attribute_projection(scim):
    """RFC 7644 §3.10: attribute names may name a sub-attribute (name.givenName)."""
    user_id = create(scim, name={"givenName": "Barbara", "familyName": "Jensen"})["id"]
    data = body(scim.get(f"Users/{user_id}", {"attributes": "name.givenName"}))
    assert data["name"] == {"givenName": "Barbara"}


def test_attributes_on_list(scim):
    """RFC 7644 §3.4.2.5: attributes applies to every resource of a list."""
    create(scim, "a", title="x")
    create(scim, "b", title="y")
    resources = body(scim.get("Users", {"attributes": "userName"}))["Resources"]
    assert [resource_keys(r) for r in resources] == [{"id", "userName"}] * 2


def test_excluded_attributes_on_list(scim):
    """RFC 7644 §3.4.2.5: excludedAttributes applies to every resource of a list."""
    create(scim, "a", title="x")
    resources = body(scim.get("Users", {"excludedAttributes": "title,meta"}))["Resources"]
    assert "title" not in resources[0] and "meta" not in resources[0]
    assert resources[0]["userName"] == "a"


def test_attributes_on_post(scim):
    """RFC 7644 §3.9: "Clients MAY request a partial resource representation on any
    operation that returns a resource within the response by specifying either of the
    mutually exclusive URL query parameters "attributes" or "excludedAttributes"" — POST."""
    response = scim.post("Users?attributes=userName", {"userName": "bjensen", "title": "x"})
    assert response.status_code == 201
    assert resource_keys(body(response)) == {"id", "userName"}
    assert response["Location"].endswith(body(response)["id"])


def test_excluded_attributes_on_put(scim):
    """RFC 7644 §3.9: the projection parameters apply to PUT responses too."""
    user_id = create(scim)["id"]
    response = scim.put(
        f"Users/{user_id}?excludedAttributes=title",
        {"userName": "bjensen", "title": "x", "nickName": "b"},
    )
    assert response.status_code == 200
    data = body(response)
    assert "title" not in data and data["nickName"] == "b"
    assert body(scim.get(f"Users/{user_id}"))["title"] == "x"


def test_attributes_on_put(scim):
    """RFC 7644 §3.9: attributes on a PUT limits the returned representation."""
    user_id = create(scim)["id"]
    response = scim.put(
        f"Users/{user_id}?attributes=nickName", {"userName": "bjensen", "nickName": "b"}
    )
    assert resource_keys(body(response)) == {"id", "nickName"}


# -- more of RFC 7643 §2-§3 --------------------------------------------------------------


def test_etag_header_equals_meta_version(scim):
    """RFC 7644 §3.14: the version is sent in the ETag header and in meta.version, and they
    agree."""
    data = create(scim)
    response = scim.get(f"Users/{data['id']}")
    assert response["ETag"] == body(response)["meta"]["version"] == data["meta"]["version"]


def test_put_changes_version_and_last_modified(scim):
    """RFC 7643 §3.1: meta.version changes when the resource changes, and lastModified is
    the time of the last update."""
    data = create(scim)
    changed = body(scim.put(f"Users/{data['id']}", {"userName": "bjensen", "title": "Boss"}))
    assert changed["meta"]["version"] != data["meta"]["version"]
    assert changed["meta"]["lastModified"] >= data["meta"]["lastModified"]
    assert changed["meta"]["created"] == data["meta"]["created"]


def test_created_of_a_pre_existing_user_is_date_joined(scim):
    """RFC 7643 §3.1: meta.created is "the DateTime that the resource was added to the
    service provider": for a user that existed before SCIM, when it joined the site."""
    legacy = UserFactory(username="legacy")
    data = body(scim.get("Users", {"filter": 'userName eq "legacy"'}))["Resources"][0]
    created = datetime.fromisoformat(data["meta"]["created"].replace("Z", "+00:00"))
    assert created == legacy.date_joined


def test_attribute_names_are_case_insensitive(scim):
    """RFC 7643 §2.1: "Attribute names are case insensitive"; USERNAME and Name.GivenName
    set userName and name.givenName, returned in their canonical spelling."""
    response = scim.post("Users", {"USERNAME": "upper", "Name": {"GivenName": "Barbara"}})
    assert response.status_code == 201
    data = body(response)
    assert data["userName"] == "upper"
    assert data["name"] == {"givenName": "Barbara"}


def test_urn_qualified_attribute_names_are_accepted(scim):
    """RFC 7644 §3.10: an attribute may be named with its schema URN prefix, for core and
    extension attributes alike."""
    response = scim.post(
        "Users", {f"{USER_SCHEMA}:userName": "bjensen", f"{ENTERPRISE_USER_SCHEMA}:department": "D"}
    )
    assert response.status_code == 201
    data = body(response)
    assert data["userName"] == "bjensen"
    assert data[ENTERPRISE_USER_SCHEMA] == {"department": "D"}


def test_manager_display_name_is_read_only(scim):
    """RFC 7643 §4.3: manager.displayName is READ-ONLY, so the client's value is ignored."""
    boss = create(scim, "boss")["id"]
    data = create(
        scim, **{ENTERPRISE_USER_SCHEMA: {"manager": {"value": boss, "displayName": "Fake"}}}
    )
    assert data[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == boss
    assert data[ENTERPRISE_USER_SCHEMA]["manager"].get("displayName") != "Fake"


def test_two_primary_emails_keep_the_first(scim):
    """RFC 7643 §2.4: the primary attribute "MUST appear no more than once"; the first
    primary wins and the e-mail column holds it."""
    data = create(
        scim,
        emails=[
            {"value": "a@example.test", "primary": True},
            {"value": "b@example.test", "primary": True},
        ],
    )
    assert [e.get("primary") for e in data["emails"]] == [True, False]
    assert User.objects.get(username="bjensen").email == "a@example.test"


def test_put_without_emails_clears_the_email_column(scim):
    """RFC 7644 §3.5.1: emails omitted from a PUT are cleared, in the model's column too."""
    user_id = create(scim, emails=[{"value": "a@example.test"}])["id"]
    data = body(scim.put(f"Users/{user_id}", {"userName": "bjensen"}))
    assert "emails" not in data
    assert User.objects.get(username="bjensen").email == ""


def test_group_id_under_users_is_404(scim):
    """RFC 7644 §3.4.1: /Users/{id} only finds users; a group's id there is 404."""
    group = GroupFactory(name="Admins")
    group_id = body(scim.get("Groups"))["Resources"][0]["id"]
    assert group.name == "Admins"
    assert_scim_error(scim.get(f"Users/{group_id}"), 404)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_unsupported_media_type_on_put_and_patch_is_415(scim, method):
    """RFC 7644 §3.12: 415 for PUT and PATCH bodies of another media type; unchanged."""
    user_id = create(scim)["id"]
    response = getattr(scim, method)(
        f"Users/{user_id}", json.dumps({"userName": "x"}), content_type="text/plain"
    )
    assert_scim_error(response, 415)
    assert body(scim.get(f"Users/{user_id}"))["userName"] == "bjensen"


# -- values the database cannot hold -------------------------------------------------------


def test_email_longer_than_its_column_is_400_invalid_value(scim):
    """RFC 7644 §3.12 invalidValue: "the value specified was not compatible with the
    operation or attribute type"; the same answer on every database, as for userName."""
    address = "x" * 300 + "@example.test"
    response = scim.post("Users", {"userName": "bjensen", "emails": [{"value": address}]})
    assert_scim_error(response, 400, "invalidValue")
    assert not User.objects.exists()


def test_external_id_longer_than_its_column_is_400_invalid_value(scim):
    """RFC 7644 §3.12 invalidValue for a value the provider cannot store, on every
    database alike."""
    response = scim.post("Users", {"userName": "bjensen", "externalId": "e" * 300})
    assert_scim_error(response, 400, "invalidValue")
    assert not User.objects.exists()


@pytest.mark.parametrize("attributes", [{"userName": "b\u0000j"}, {"title": "a\u0000b"}])
def test_nul_character_is_400_invalid_value(scim, attributes):
    """RFC 7644 §3.12 invalidValue; a string PostgreSQL cannot store is refused the same
    way on every database, before any write."""
    response = scim.post("Users", {"userName": "bjensen", **attributes})
    assert_scim_error(response, 400, "invalidValue")
    assert not User.objects.exists()


def test_renaming_to_a_case_variant_of_ones_own_name_is_allowed(scim):
    """RFC 7643 §4.1.1: userName is unique across users; a user does not clash with itself,
    so BJensen may replace bjensen."""
    user_id = create(scim)["id"]
    response = scim.put(f"Users/{user_id}", {"userName": "BJensen"})
    assert response.status_code == 200
    assert body(response)["userName"] == "BJensen"


def test_post_of_a_deactivated_users_name_revives_it(scim, settings):
    """REVIVE_ON_CREATE (default): after a DELETE in deactivate mode, a POST of the same
    userName (any case) answers 201 (RFC 7644 §3.3) with the same id, active again."""
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    user_id = create(scim)["id"]
    scim.delete(f"Users/{user_id}")
    response = scim.post("Users", {"userName": "BJENSEN", "title": "Back"})
    assert response.status_code == 201
    data = body(response)
    assert (data["id"], data["active"], data["title"]) == (user_id, True, "Back")
    assert User.objects.count() == 1


def test_post_of_a_deactivated_users_name_is_409_without_revival(scim, settings):
    """REVIVE_ON_CREATE False: the deactivated user still holds its userName, so the POST
    conflicts (RFC 7644 §3.3: 409 uniqueness)."""
    settings.SCIM = {"DELETE_MODE": "deactivate", "REVIVE_ON_CREATE": False}
    user_id = create(scim)["id"]
    scim.delete(f"Users/{user_id}")
    assert_scim_error(scim.post("Users", {"userName": "bjensen"}), 409, "uniqueness")
    assert body(scim.get(f"Users/{user_id}"))["active"] is False


def test_a_new_user_was_last_modified_when_it_was_created(scim):
    """RFC 7643 §3.1: meta.created and meta.lastModified of a resource never modified
    since it was created are the same instant."""
    meta = body(scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "fresh"}))["meta"]
    assert meta["lastModified"] == meta["created"]
