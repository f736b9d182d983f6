"""/Me (RFC 7644 §3.11): an alias for the resource of the authenticated subject.

A SCIM client's token names no person, so for it /Me answers 501, as §3.11
asks of a provider that does not support the alias. A site that signs people
in (here Django's session, through ``SCIM["ME_AUTHENTICATION_CLASSES"]``)
serves a person their own User resource: GET, PUT and PATCH, with
``Location`` set to the resource's permanent URL, and writes limited to
``SCIM["ME_WRITABLE_ATTRIBUTES"]``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_scim.adapters.users import UserAdapter
from django_scim.constants import ENTERPRISE_USER_SCHEMA, ERROR, USER_SCHEMA
from tests.conftest import SCIMTestClient, body, ops
from tests.factories import GroupFactory, UserFactory

SESSION = "rest_framework.authentication.SessionAuthentication"


def assert_error(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, body(response)
    data = body(response)
    assert data["schemas"] == [ERROR]
    assert data["status"] == str(status)
    return data


@pytest.fixture
def sessions(settings):
    settings.SCIM = {"ME_AUTHENTICATION_CLASSES": [SESSION]}


@pytest.fixture
def person(db):
    user = UserFactory(username="bjensen", first_name="Barbara", last_name="Jensen")
    user.groups.add(GroupFactory(name="Tour Guides"))
    return user


@pytest.fixture
def browser(sessions, person) -> SCIMTestClient:
    """A person signed in to the site (a session), not a SCIM client."""
    client = SCIMTestClient()
    client.force_login(person)
    return client


def own(browser) -> dict[str, Any]:
    response = browser.get("Me")
    assert response.status_code == 200, body(response)
    return body(response)


class NoStaffUsers(UserAdapter):
    """A site's adapter serving non-staff accounts only."""

    def get_queryset(self):
        return super().get_queryset().filter(is_staff=False)


# -- a SCIM client is not a person -------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "patch", "post", "delete"])
def test_a_scim_client_gets_501(scim, sessions, method):
    """RFC 7644 §3.11: "A service provider that does NOT support this feature SHOULD respond
    with HTTP status code 501"; a client's bearer token authenticates no person."""
    response = getattr(scim, method)("Me", {"schemas": [USER_SCHEMA], "userName": "x"})
    assert_error(response, 501)


def test_without_credentials_me_is_401(anonymous, sessions):
    """RFC 7644 §2 and §3.12: an unauthenticated request is 401, /Me included."""
    assert_error(anonymous.get("Me"), 401)


def test_a_session_is_ignored_unless_the_site_asks_for_it(person):
    """RFC 7644 §2: authentication is the provider's choice; this one reads a session on
    /Me only when ME_AUTHENTICATION_CLASSES names it."""
    client = SCIMTestClient()
    client.force_login(person)
    assert_error(client.get("Me"), 401)


@pytest.mark.parametrize("path", ["Users", "Groups", "ServiceProviderConfig"])
def test_a_person_reaches_no_other_endpoint(browser, path):
    """RFC 7644 §2: the other endpoints serve SCIM clients; a session signs a person in to
    /Me alone, never to read or provision the directory."""
    assert_error(browser.get(path), 401)


# -- GET ---------------------------------------------------------------------------


def test_get_me_is_the_persons_user(browser, person, scim):
    """RFC 7644 §3.11: /Me is "a URI alias for the User or other resource associated with
    the currently authenticated subject" — the same representation as at its location."""
    data = own(browser)
    assert data["userName"] == "bjensen"
    assert data["name"]["givenName"] == "Barbara"
    assert [group["display"] for group in data["groups"]] == ["Tour Guides"]
    assert body(scim.get(f"Users/{data['id']}")) == data


def test_location_is_the_permanent_url(browser):
    """RFC 7644 §3.11: "In any response, the HTTP "Location" header MUST be the permanent
    location of the aliased resource associated with the authenticated subject"."""
    response = browser.get("Me")
    data = body(response)
    assert response["Location"] == data["meta"]["location"]
    assert response["Location"].endswith(f"/scim/v2/Users/{data['id']}")
    assert response["ETag"] == data["meta"]["version"]


def test_get_me_honours_attributes(browser):
    """RFC 7644 §3.9: attributes= projects the /Me answer as any other resource's."""
    data = body(browser.get("Me", {"attributes": "userName"}))
    assert set(data) == {"schemas", "id", "userName"}


def test_a_person_outside_the_adapter_scope_is_404(browser, settings):
    """RFC 7644 §3.12: the aliased resource must exist within what the provider serves;
    an account get_queryset() leaves out is 404."""
    settings.SCIM = {
        "ME_AUTHENTICATION_CLASSES": [SESSION],
        "ADAPTERS": [
            "tests.protocol.test_me.NoStaffUsers",
            "django_scim.adapters.groups.GroupAdapter",
        ],
    }
    get_user_model().objects.filter(username="bjensen").update(is_staff=True)
    assert_error(browser.get("Me"), 404)


# -- PUT and PATCH -----------------------------------------------------------------


def test_patch_a_writable_attribute(browser):
    """RFC 7644 §3.11 with §3.5.2: PATCH on /Me changes the person's own resource; the
    answer carries Location (§3.11) and the new version."""
    response = browser.patch("Me", ops({"op": "replace", "path": "displayName", "value": "Babs"}))
    assert response.status_code == 200, body(response)
    assert body(response)["displayName"] == "Babs"
    assert response["Location"] == body(response)["meta"]["location"]
    assert own(browser)["displayName"] == "Babs"


def test_patch_without_path_on_writable_attributes(browser):
    """RFC 7644 §3.5.2.3: a path-less replace names attributes by its value's keys."""
    response = browser.patch(
        "Me", ops({"op": "replace", "value": {"nickName": "Babs", "name": {"givenName": "B"}}})
    )
    assert response.status_code == 200, body(response)
    assert own(browser)["name"]["givenName"] == "B"


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "userName", "value": "admin"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "add", "path": "roles", "value": [{"value": "admin"}]},
        {"op": "replace", "value": {"nickName": "Babs", "userName": "admin"}},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "x@example.test"},
        {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:department", "value": "Sales"},
    ],
)
def test_patch_of_another_attribute_is_403(browser, operation):
    """RFC 7644 §3.12: 403 "Operation is not permitted based on the supplied
    authorization" — the schema says readWrite; it is this person who may not write it.
    The whole PATCH is refused (§3.5.2: all operations or none)."""
    before = own(browser)
    assert_error(browser.patch("Me", ops(operation)), 403)
    assert own(browser) == before


def test_patch_of_groups_is_refused(browser):
    """RFC 7643 §4.1.2: groups is readOnly; RFC 7644 §3.5.2 refuses a PATCH targeting it
    (here 403, as for every attribute a person may not write)."""
    response = browser.patch("Me", ops({"op": "add", "path": "groups", "value": [{"value": "x"}]}))
    assert response.status_code in (400, 403)
    assert own(browser)["groups"]


def test_put_changes_writable_attributes_only(browser):
    """RFC 7644 §3.11 with §3.5.1: PUT on /Me replaces the listed attributes; the others
    keep their values when the body repeats them or leaves them out."""
    current = own(browser)
    body_ = {
        "schemas": [USER_SCHEMA],
        "userName": "bjensen",
        "displayName": "Babs Jensen",
        "name": {"givenName": "Babs", "familyName": "Jensen"},
    }
    response = browser.put("Me", body_)
    assert response.status_code == 200, body(response)
    after = body(response)
    assert after["displayName"] == "Babs Jensen"
    assert after["name"]["givenName"] == "Babs"
    assert after["emails"] == current["emails"]
    assert after["active"] is True
    assert response["Location"] == after["meta"]["location"]


def test_put_of_what_get_returned_is_accepted(browser):
    """RFC 7644 §3.5.1: a client may PUT back the representation it read."""
    current = own(browser)
    response = browser.put("Me", {**current, "nickName": "Babs"})
    assert response.status_code == 200, body(response)
    assert body(response)["nickName"] == "Babs"


@pytest.mark.parametrize(
    "change",
    [{"userName": "admin"}, {"active": False}, {"roles": [{"value": "admin"}]}],
)
def test_put_changing_another_attribute_is_403(browser, change):
    """RFC 7644 §3.12: 403 when the body gives an attribute the person may not write a new
    value; nothing changes."""
    current = own(browser)
    assert_error(browser.put("Me", {**current, **change}), 403)
    assert own(browser) == current


def test_password_is_not_writable_by_default(browser, person):
    """RFC 7643 §4.1.1: password is writeOnly; ME_WRITABLE_ATTRIBUTES leaves it out unless
    the site adds it."""
    response = browser.patch("Me", ops({"op": "replace", "path": "password", "value": "n3w!"}))
    assert_error(response, 403)


def test_the_writable_list_is_a_setting(browser, settings, person):
    """The site chooses what a person may change: here their password too."""
    settings.SCIM = {
        "ME_AUTHENTICATION_CLASSES": [SESSION],
        "ME_WRITABLE_ATTRIBUTES": ["password"],
    }
    assert_error(
        browser.patch("Me", ops({"op": "replace", "path": "displayName", "value": "B"})), 403
    )
    response = browser.patch(
        "Me", ops({"op": "replace", "path": "password", "value": "An0ther-secret"})
    )
    assert response.status_code == 200, body(response)
    person.refresh_from_db()
    assert person.check_password("An0ther-secret")


@pytest.mark.parametrize("method", ["post", "delete"])
def test_post_and_delete_on_me_are_501(browser, method):
    """RFC 7644 §3.11: /Me may be used "for any SCIM operation"; creating a resource for the
    subject (POST) and deleting it (DELETE) are operations this provider does not offer, so
    501 (RFC 7644 §3.12 "does not support the request operation"), as §3.11 answers an
    unsupported use of the alias — not 405, which would say /Me never allows them."""
    assert_error(getattr(browser, method)("Me", {"schemas": [USER_SCHEMA]}), 501)
    assert own(browser)["userName"] == "bjensen"


# -- the hook ----------------------------------------------------------------------


def person_from_header(request):
    """A site's ME_USER: the person named by a header a trusted proxy sets (tests only)."""
    name = request.META.get("HTTP_X_TEST_PERSON")
    return get_user_model().objects.filter(username=name).first() if name else None


def test_me_user_hook_maps_the_request_to_a_person(scim, person, settings):
    """RFC 7644 §3.11 leaves the subject to the provider's authentication; SCIM["ME_USER"]
    maps a request to a user."""
    settings.SCIM = {"ME_USER": "tests.protocol.test_me.person_from_header"}
    response = scim.get("Me", HTTP_X_TEST_PERSON="bjensen")
    assert response.status_code == 200, body(response)
    assert body(response)["userName"] == "bjensen"
    assert_error(scim.get("Me"), 501)


# -- conditional requests (RFC 7644 §3.14) -------------------------------------------


def stale(browser) -> str:
    """A version /Me had before a change: the ETag of a GET, then a PATCH."""
    seen = browser.get("Me")["ETag"]
    response = browser.patch("Me", ops({"op": "replace", "path": "nickName", "value": "Babs"}))
    assert response.status_code == 200, body(response)
    return seen


def test_get_me_with_a_current_if_none_match_is_304(browser):
    """RFC 7644 §3.14: "If-None-Match" lets a client skip an unchanged resource; RFC 9110
    §15.4.5: 304 with the ETag and no body. RFC 7644 §3.11: the Location header names the
    aliased resource "in any response"."""
    first = browser.get("Me")
    response = browser.get("Me", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"] == body(first)["meta"]["version"]
    assert response["Location"] == first["Location"]


def test_get_me_with_if_none_match_star_is_304(browser):
    """RFC 9110 §13.1.2: "*" matches any current representation."""
    assert browser.get("Me", HTTP_IF_NONE_MATCH="*").status_code == 304


def test_get_me_with_an_old_if_none_match_is_200(browser):
    """RFC 7644 §3.14: a version that is no longer current gets the resource."""
    seen = stale(browser)
    response = browser.get("Me", HTTP_IF_NONE_MATCH=seen)
    assert response.status_code == 200
    assert response["ETag"] != seen


def test_get_me_with_a_stale_if_match_is_412(browser):
    """RFC 9110 §13.1.1: If-Match that names no current version is 412, on a GET too."""
    assert_error(browser.get("Me", HTTP_IF_MATCH=stale(browser)), 412)


def test_patch_me_with_a_stale_if_match_is_412_and_changes_nothing(browser):
    """RFC 7644 §3.14: "If-Match" makes a write conditional; RFC 9110 §13.1.1: 412 when
    the version changed, and the write is not made."""
    seen = stale(browser)
    before = own(browser)
    response = browser.patch(
        "Me", ops({"op": "replace", "path": "displayName", "value": "B"}), HTTP_IF_MATCH=seen
    )
    assert_error(response, 412)
    assert own(browser) == before


def test_put_me_with_a_stale_if_match_is_412_and_changes_nothing(browser):
    """RFC 7644 §3.14 with §3.5.1: the same for PUT."""
    seen = stale(browser)
    before = own(browser)
    response = browser.put("Me", {**before, "displayName": "B"}, HTTP_IF_MATCH=seen)
    assert_error(response, 412)
    assert own(browser) == before


def test_writes_with_a_current_if_match_succeed_and_send_the_new_etag(browser):
    """RFC 7644 §3.14: a write whose If-Match names the current version goes ahead, and
    its answer's ETag is the new meta.version. Tags compare weakly (RFC 9110 §8.8.3.2),
    so the quoted tag without ``W/`` matches too."""
    current = browser.get("Me")["ETag"]
    patched = browser.patch(
        "Me", ops({"op": "replace", "path": "displayName", "value": "B"}), HTTP_IF_MATCH=current
    )
    assert patched.status_code == 200, body(patched)
    assert patched["ETag"] == body(patched)["meta"]["version"] != current
    weak = patched["ETag"].removeprefix("W/")
    replaced = browser.put("Me", {**body(patched), "displayName": "C"}, HTTP_IF_MATCH=weak)
    assert replaced.status_code == 200, body(replaced)
    assert replaced["ETag"] == body(replaced)["meta"]["version"]
    assert own(browser)["displayName"] == "C"


def test_if_match_star_matches_the_persons_resource(browser):
    """RFC 9110 §13.1.1: "*" matches any current representation: the write goes ahead."""
    response = browser.patch(
        "Me", ops({"op": "replace", "path": "displayName", "value": "B"}), HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200, body(response)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_writes_with_a_matching_if_none_match_are_412(browser, method):
    """RFC 9110 §13.1.2: If-None-Match that matches (here "*", the resource exists) makes
    a write fail with 412; nothing changes."""
    before = own(browser)
    payload = (
        {**before, "displayName": "B"}
        if method == "put"
        else ops({"op": "replace", "path": "displayName", "value": "B"})
    )
    response = getattr(browser, method)("Me", payload, HTTP_IF_NONE_MATCH="*")
    assert_error(response, 412)
    assert own(browser) == before


def test_a_change_a_person_may_not_make_is_403_before_preconditions(browser):
    """docs/versions.md: the attributes a person may change are checked first (RFC 7644
    §3.12, 403), as a resource's payload is validated before its preconditions."""
    seen = stale(browser)
    response = browser.patch(
        "Me", ops({"op": "replace", "path": "userName", "value": "admin"}), HTTP_IF_MATCH=seen
    )
    assert_error(response, 403)
