"""Versions and conditional requests: ETag, meta.version, If-Match, If-None-Match
(RFC 7644 §3.14, RFC 7643 §3.1, RFC 9110 §13).

Each test states one behaviour; the docstring quotes the section that asks for it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from django_scim.constants import GROUP_SCHEMA, USER_SCHEMA
from tests.conftest import assert_scim_error, body, ops
from tests.factories import UserFactory

User = get_user_model()


def new_user(scim, user_name: str = "bjensen", **extra) -> dict:
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": user_name, **extra})
    assert response.status_code == 201, response.content
    return body(response)


def new_group(scim, name: str = "Tour Guides", **extra) -> dict:
    response = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": name, **extra})
    assert response.status_code == 201, response.content
    return body(response)


def version(scim, location: str, **params) -> str:
    response = scim.get(location, params or None)
    assert response.status_code == 200
    meta = body(response).get("meta")  # returned "default": absent under attributes=
    assert meta is None or response["ETag"] == meta["version"]
    return response["ETag"]


# -- the version on every answer (RFC 7644 §3.14) ---------------------------------------


def test_post_sends_etag_equal_to_meta_version(scim):
    """RFC 7644 §3.14: "the service provider MUST include the ETag HTTP header in
    responses" and meta.version SHOULD carry the same value; here on a POST's 201."""
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    assert response["ETag"] == body(response)["meta"]["version"]
    assert response["ETag"].startswith('W/"')


def test_put_and_patch_send_etag_equal_to_meta_version(scim):
    """RFC 7644 §3.14: the ETag header and meta.version agree on PUT and PATCH answers."""
    user = new_user(scim)
    put = scim.put(f"Users/{user['id']}", {"userName": "bjensen", "title": "Boss"})
    assert put["ETag"] == body(put)["meta"]["version"]
    patched = scim.patch(
        f"Users/{user['id']}", ops({"op": "replace", "path": "title", "value": "Chief"})
    )
    assert patched["ETag"] == body(patched)["meta"]["version"]
    assert patched["ETag"] == version(scim, f"Users/{user['id']}")


def test_patch_204_sends_the_new_etag(scim, settings):
    """RFC 7644 §3.14: the ETag header is sent with every resource answer, a PATCH's 204
    (RFC 7644 §3.5.2, "204 No Content") included; it is the version a GET then shows."""
    settings.SCIM = {"PATCH_NO_CONTENT": ["Group"]}
    group = new_group(scim)
    response = scim.patch(
        f"Groups/{group['id']}", ops({"op": "replace", "path": "displayName", "value": "Crew"})
    )
    assert response.status_code == 204
    assert response["ETag"] != group["meta"]["version"]
    assert response["ETag"] == version(scim, f"Groups/{group['id']}")


def test_list_elements_carry_the_version_a_get_shows(scim):
    """RFC 7643 §3.1: meta.version is part of every resource, list elements (RFC 7644
    §3.4.2) included; it is the ETag a GET of the resource sends."""
    user = new_user(scim)
    listed = body(scim.get("Users"))["Resources"][0]
    assert listed["meta"]["version"] == version(scim, f"Users/{user['id']}")


def test_version_is_the_same_whatever_the_projection(scim):
    """RFC 7644 §3.14 and §3.9: the version names the resource, not one view of it; a
    group read without its members has the version of the whole group."""
    alice = new_user(scim, "alice")
    group = new_group(scim, members=[{"value": alice["id"]}])
    at = f"Groups/{group['id']}"
    assert version(scim, at, excludedAttributes="members") == version(scim, at)
    assert version(scim, at, attributes="displayName") == group["meta"]["version"]


# -- what changes the version (RFC 7643 §3.1) --------------------------------------------


def test_put_that_changes_nothing_keeps_the_version(scim):
    """RFC 7643 §3.1: version is the "version of the resource being returned"; a PUT
    that repeats the resource as it is changes nothing, so neither version nor
    lastModified changes."""
    alice = new_user(scim, "alice")
    group = new_group(scim, members=[{"value": alice["id"]}])
    again = scim.put(
        f"Groups/{group['id']}",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Tour Guides",
            "members": [{"value": alice["id"]}],
        },
    )
    assert again.status_code == 200
    assert body(again)["meta"]["version"] == group["meta"]["version"]
    assert body(again)["meta"]["lastModified"] == group["meta"]["lastModified"]


def test_membership_added_outside_scim_changes_the_groups_version(scim):
    """RFC 7643 §3.1: meta.lastModified is "the most recent DateTime that the details
    of this resource were updated"; a member added by the site's own code
    (``group.user_set.add()``, as the admin does) changes the group's version and
    lastModified."""
    group = new_group(scim)
    user = UserFactory()
    Group.objects.get(name="Tour Guides").user_set.add(user)
    fetched = body(scim.get(f"Groups/{group['id']}"))
    assert fetched["meta"]["version"] != group["meta"]["version"]
    assert fetched["meta"]["lastModified"] > group["meta"]["lastModified"]


def test_membership_change_changes_the_members_version_too(scim):
    """RFC 7643 §4.1.2: a user's "groups" attribute is the groups it belongs to, so a
    member added to a group changes the user's version as well."""
    user = new_user(scim)
    group = new_group(scim)
    before = version(scim, f"Users/{user['id']}")
    scim.patch(
        f"Groups/{group['id']}",
        ops({"op": "add", "path": "members", "value": [{"value": user["id"]}]}),
    )
    assert version(scim, f"Users/{user['id']}") != before


def test_deleting_a_member_changes_the_groups_version(scim):
    """RFC 7643 §3.1: when a member is DELETEd (RFC 7644 §3.6) the group's members
    change, and so do its version and lastModified."""
    user = new_user(scim)
    group = new_group(scim, members=[{"value": user["id"]}])
    assert scim.delete(f"Users/{user['id']}").status_code == 204
    fetched = body(scim.get(f"Groups/{group['id']}"))
    assert "members" not in fetched
    assert fetched["meta"]["version"] != group["meta"]["version"]
    assert fetched["meta"]["lastModified"] > group["meta"]["lastModified"]


def test_clearing_a_membership_outside_scim_changes_the_version(scim):
    """RFC 7643 §3.1: ``user.groups.clear()`` in site code removes the user from its
    groups; each group's version changes."""
    user = new_user(scim)
    group = new_group(scim, members=[{"value": user["id"]}])
    User.objects.get(username="bjensen").groups.clear()
    assert version(scim, f"Groups/{group['id']}") != group["meta"]["version"]


# -- If-Match on writes (RFC 7644 §3.14, RFC 9110 §13.1.1) -------------------------------


def test_put_with_matching_if_match_succeeds(scim):
    """RFC 7644 §3.14: a client "MAY supply an If-Match header for PUT and PATCH
    operations"; with the current version the write goes ahead."""
    user = new_user(scim)
    response = scim.put(
        f"Users/{user['id']}",
        {"userName": "bjensen", "title": "Boss"},
        HTTP_IF_MATCH=user["meta"]["version"],
    )
    assert response.status_code == 200
    assert body(response)["title"] == "Boss"


def test_put_with_stale_if_match_is_412_and_changes_nothing(scim):
    """RFC 7644 §3.14 and §3.12: "412 Precondition Failed ... Failed to update. Resource
    has changed on the server"; the SCIM Error is sent and nothing is written."""
    user = new_user(scim)
    scim.put(f"Users/{user['id']}", {"userName": "bjensen", "title": "Boss"})
    current = version(scim, f"Users/{user['id']}")
    response = scim.put(
        f"Users/{user['id']}",
        {"userName": "bjensen", "title": "Stale"},
        HTTP_IF_MATCH=user["meta"]["version"],
    )
    assert_scim_error(response, 412)
    assert version(scim, f"Users/{user['id']}") == current
    assert body(scim.get(f"Users/{user['id']}"))["title"] == "Boss"


def test_if_match_is_compared_weakly(scim):
    """RFC 9110 §8.8.3.2: under weak comparison two tags match when their opaque-tags
    are equal, either or both marked weak; the strong form of our weak tag matches."""
    user = new_user(scim)
    strong = user["meta"]["version"].removeprefix("W/")
    response = scim.patch(
        f"Users/{user['id']}",
        ops({"op": "replace", "path": "title", "value": "Chief"}),
        HTTP_IF_MATCH=f'"other", {strong}',
    )
    assert response.status_code == 200


def test_if_match_star_matches_any_existing_resource(scim):
    """RFC 9110 §13.1.1: If-Match "*" is true when the resource has a current
    representation."""
    user = new_user(scim)
    response = scim.patch(
        f"Users/{user['id']}",
        ops({"op": "replace", "path": "title", "value": "Chief"}),
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200


def test_if_match_on_a_missing_resource_is_404(scim):
    """RFC 9110 §13.2.1: preconditions are ignored when the answer would be neither
    2xx nor 412; a resource that does not exist is RFC 7644 §3.12's 404."""
    response = scim.delete("Users/2819c223-7f76-453a-919d-413861904646", HTTP_IF_MATCH="*")
    assert_scim_error(response, 404)


def test_patch_with_stale_if_match_is_412(scim):
    """RFC 7644 §3.14: If-Match on PATCH; a version that is no longer current is 412
    and the operations are not applied."""
    user = new_user(scim)
    response = scim.patch(
        f"Users/{user['id']}",
        ops({"op": "replace", "path": "title", "value": "Chief"}),
        HTTP_IF_MATCH='W/"not-the-version"',
    )
    assert_scim_error(response, 412)
    assert "title" not in body(scim.get(f"Users/{user['id']}"))


def test_delete_with_stale_if_match_is_412_and_keeps_the_resource(scim):
    """RFC 9110 §13.1.1 (If-Match on any state-changing method) and RFC 7644 §3.7
    ("version" on a Bulk DELETE): a stale version stops a DELETE."""
    user = new_user(scim)
    response = scim.delete(f"Users/{user['id']}", HTTP_IF_MATCH='W/"stale"')
    assert_scim_error(response, 412)
    assert scim.get(f"Users/{user['id']}").status_code == 200


def test_delete_with_matching_if_match_deletes(scim):
    """RFC 7644 §3.6 with RFC 9110 §13.1.1: the current version lets the DELETE through."""
    user = new_user(scim)
    response = scim.delete(f"Users/{user['id']}", HTTP_IF_MATCH=user["meta"]["version"])
    assert response.status_code == 204
    assert scim.get(f"Users/{user['id']}").status_code == 404


def test_if_match_after_an_outside_membership_change_is_412(scim):
    """RFC 7644 §3.14: a group whose members the site changed since the client read it
    has "changed on the server"; the client's PUT with the old version is refused."""
    group = new_group(scim)
    Group.objects.get(name="Tour Guides").user_set.add(UserFactory())
    response = scim.put(
        f"Groups/{group['id']}",
        {"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides"},
        HTTP_IF_MATCH=group["meta"]["version"],
    )
    assert_scim_error(response, 412)
    assert Group.objects.get(name="Tour Guides").user_set.count() == 1


# -- If-None-Match (RFC 7644 §3.14, RFC 9110 §13.1.2) ------------------------------------


def test_get_with_current_if_none_match_is_304_without_body(scim):
    """RFC 7644 §3.14: "If-None-Match ... the service provider returns 304 Not Modified"
    when the version has not changed; RFC 9110 §15.4.5: the 304 carries the ETag and
    no content."""
    user = new_user(scim)
    response = scim.get(f"Users/{user['id']}", HTTP_IF_NONE_MATCH=user["meta"]["version"])
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == user["meta"]["version"]


def test_get_with_old_if_none_match_is_200(scim):
    """RFC 7644 §3.14: a changed resource is returned in full."""
    user = new_user(scim)
    scim.put(f"Users/{user['id']}", {"userName": "bjensen", "title": "Boss"})
    response = scim.get(f"Users/{user['id']}", HTTP_IF_NONE_MATCH=user["meta"]["version"])
    assert response.status_code == 200
    assert body(response)["title"] == "Boss"


def test_get_with_stale_if_match_is_412(scim):
    """RFC 9110 §13.1.1: If-Match is evaluated on a GET too; false is 412."""
    user = new_user(scim)
    response = scim.get(f"Users/{user['id']}", HTTP_IF_MATCH='W/"stale"')
    assert_scim_error(response, 412)


def test_write_with_matching_if_none_match_is_412(scim):
    """RFC 9110 §13.1.2: for a method other than GET or HEAD, a true If-None-Match
    ("*" included) is answered 412 and nothing is written."""
    user = new_user(scim)
    response = scim.put(
        f"Users/{user['id']}", {"userName": "bjensen", "title": "Boss"}, HTTP_IF_NONE_MATCH="*"
    )
    assert_scim_error(response, 412)
    assert "title" not in body(scim.get(f"Users/{user['id']}"))


def test_service_provider_config_advertises_etag(scim):
    """RFC 7643 §5: "etag ... supported: A Boolean value specifying whether or not the
    service provider supports ETags"."""
    response = scim.get("ServiceProviderConfig")
    assert body(response)["etag"] == {"supported": True}


# -- objects SCIM has not written yet ------------------------------------------------


def _version(scim, location: str, query: str = "") -> str:
    response = scim.get(f"{location}{query}")
    assert response.status_code == 200
    return str(response["ETag"])


def test_membership_changes_of_a_group_scim_never_wrote_change_its_version(scim):
    """RFC 7644 §3.14 with RFC 7643 §3.1: a group made outside SCIM (no side row: reads
    never write one) still gets a new version when the site changes its members, the
    same whether or not the members are shown."""
    group = Group.objects.create(name="made in the admin")
    group.user_set.add(UserFactory())
    location = f"Groups/{body(scim.get('Groups'))['Resources'][0]['id']}"
    before = _version(scim, location)
    assert _version(scim, location, "?excludedAttributes=members") == before
    group.user_set.add(UserFactory())
    after = _version(scim, location)
    assert after != before
    assert _version(scim, location, "?excludedAttributes=members") == after
    group.user_set.remove(group.user_set.order_by("pk").last())
    assert _version(scim, location) != after


def test_a_user_scim_never_wrote_gets_a_new_version_when_its_groups_change(scim):
    """RFC 7644 §3.14: a user's ``groups`` are part of what a client sees of it."""
    user = UserFactory()
    location = f"Users/{body(scim.get('Users'))['Resources'][0]['id']}"
    before = _version(scim, location, "?excludedAttributes=groups")
    Group.objects.create(name="g").user_set.add(user)
    assert _version(scim, location, "?excludedAttributes=groups") != before
    assert _version(scim, location) == _version(scim, location, "?attributes=userName")


def test_if_match_on_a_group_scim_never_wrote_follows_its_members(scim):
    """RFC 7644 §3.14: the version a GET gave is the one a write compares with, for an
    object without a side row too; after a membership change it is stale (412)."""
    group = Group.objects.create(name="outside")
    location = f"Groups/{body(scim.get('Groups'))['Resources'][0]['id']}"
    seen = _version(scim, location)
    renamed = scim.patch(
        location,
        ops({"op": "replace", "path": "displayName", "value": "renamed"}),
        HTTP_IF_MATCH=seen,
    )
    assert renamed.status_code == 200
    stale = renamed["ETag"]
    group.user_set.add(UserFactory())
    refused = scim.patch(
        location, ops({"op": "replace", "path": "displayName", "value": "x"}), HTTP_IF_MATCH=stale
    )
    assert_scim_error(refused, 412)


# -- the display text of related resources ---------------------------------------------


def _member_of_group(scim) -> tuple[dict, dict]:
    """A user and a group that has it as its member, both written through SCIM."""
    user = new_user(scim, "bjensen")
    group = new_group(scim, members=[{"value": user["id"]}])
    return user, group


def _changed(scim, resource: dict) -> dict:
    """The resource read again; its version and lastModified differ from ``resource``'s."""
    fetched = body(scim.get(f"{resource['meta']['resourceType']}s/{resource['id']}"))
    assert fetched["meta"]["version"] != resource["meta"]["version"]
    assert fetched["meta"]["lastModified"] > resource["meta"]["lastModified"]
    return fetched


def _unchanged(scim, resource: dict) -> None:
    fetched = body(scim.get(f"{resource['meta']['resourceType']}s/{resource['id']}"))
    assert fetched["meta"]["version"] == resource["meta"]["version"]
    assert fetched["meta"]["lastModified"] == resource["meta"]["lastModified"]


def test_renaming_a_member_with_put_changes_the_groups_version(scim):
    """RFC 7643 §3.1: "the version of the resource" changes whenever it does; a group's
    ``members`` carry each member's ``display`` (RFC 7643 §4.2), here its userName, so a
    PUT renaming a member (RFC 7644 §3.5.1) gives the group a new version and
    lastModified."""
    user, group = _member_of_group(scim)
    renamed = scim.put(f"Users/{user['id']}", {"schemas": [USER_SCHEMA], "userName": "babs"})
    assert renamed.status_code == 200, renamed.content
    fetched = _changed(scim, group)
    assert [member["display"] for member in fetched["members"]] == ["babs"]


def test_renaming_a_member_with_patch_changes_the_groups_version(scim):
    """RFC 7643 §3.1 with RFC 7644 §3.5.2: the same for a PATCH replacing userName."""
    user, group = _member_of_group(scim)
    patch = ops({"op": "replace", "path": "userName", "value": "babs"})
    assert scim.patch(f"Users/{user['id']}", patch).status_code == 200
    _changed(scim, group)


def test_renaming_a_member_in_site_code_changes_the_groups_version(scim):
    """RFC 7643 §3.1: a rename made by the site (``user.username = …; user.save()``, as
    the admin's form does) changes the version of the groups that show the member."""
    _user, group = _member_of_group(scim)
    member = User.objects.get(username="bjensen")
    member.username = "babs"
    member.save()
    _changed(scim, group)


def test_renaming_a_group_changes_its_members_versions(scim):
    """RFC 7643 §4.1.2: a user's ``groups`` carry each group's ``display``; a PATCH of
    the group's displayName gives each member a new version and lastModified."""
    user, group = _member_of_group(scim)
    before = body(scim.get(f"Users/{user['id']}"))
    patch = ops({"op": "replace", "path": "displayName", "value": "Guides"})
    assert scim.patch(f"Groups/{group['id']}", patch).status_code == 200
    fetched = _changed(scim, before)
    assert [entry["display"] for entry in fetched["groups"]] == ["Guides"]


def test_renaming_a_group_in_site_code_changes_its_members_versions(scim):
    """RFC 7643 §4.1.2 and §3.1: the same when the site renames the group."""
    user, _group = _member_of_group(scim)
    before = body(scim.get(f"Users/{user['id']}"))
    group = Group.objects.get(name="Tour Guides")
    group.name = "Guides"
    group.save()
    _changed(scim, before)


def test_a_save_that_renames_nothing_keeps_the_groups_version(scim):
    """RFC 7643 §3.1: a change the group does not show (the member's first name, its
    title) leaves the group's version and lastModified as they were."""
    user, group = _member_of_group(scim)
    member = User.objects.get(username="bjensen")
    member.first_name = "Barbara"
    member.save()
    patch = ops({"op": "replace", "path": "title", "value": "Guide"})
    assert scim.patch(f"Users/{user['id']}", patch).status_code == 200
    _unchanged(scim, group)


def test_a_save_whose_update_fields_leave_out_the_name_keeps_the_version(scim):
    """RFC 7643 §3.1: ``save(update_fields=[…])`` without the display column writes no new
    name, whatever the instance holds, so the group's version stays."""
    _user, group = _member_of_group(scim)
    member = User.objects.get(username="bjensen")
    member.username = "not-saved"
    member.first_name = "Barbara"
    member.save(update_fields=["first_name"])
    _unchanged(scim, group)


def test_a_rename_of_a_member_read_without_its_name_is_seen(scim):
    """RFC 7643 §3.1: a member read without its userName (``only()``), then renamed, is
    compared with the name the database holds."""
    _user, group = _member_of_group(scim)
    member = User.objects.only("pk").get(username="bjensen")
    member.username = "babs"
    member.save()
    _changed(scim, group)


def test_a_group_scim_never_wrote_keeps_its_version_when_a_member_is_renamed(scim):
    """docs/versions.md: a group SCIM has never written has no side row to mark (reads
    never write one); its version follows its relations' through rows, which a rename
    leaves as they are. Its ``members[].display`` shows the new name at once; its version
    changes once SCIM writes the group, and on its next membership change."""
    member = UserFactory(username="bjensen")
    Group.objects.create(name="made in the admin").user_set.add(member)
    location = f"Groups/{body(scim.get('Groups'))['Resources'][0]['id']}"
    before = body(scim.get(location))
    member.username = "babs"
    member.save()
    after = body(scim.get(location))
    assert [entry["display"] for entry in after["members"]] == ["babs"]
    assert after["meta"]["version"] == before["meta"]["version"]
