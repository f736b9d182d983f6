"""Group PATCH scales with the size of the change, not the size of the group.

idp_quirks R15 / E-17 / E-30: Entra and Okta change memberships one member at a
time, on groups of any size, and Entra reads groups with
``excludedAttributes=members``. A PATCH adding or removing one member of a
10,000-member group must issue exactly the queries it issues for a 10-member
group, and must not build the member list unless the response shows it.
Performance is asserted as query counts, never as times.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_scim.constants import USER_SCHEMA
from tests.conftest import body, ops

BIG = 10_000
SMALL = 10

User = get_user_model()
Membership = User.groups.through


def populate(name: str, size: int) -> None:
    """``size`` users, all members of group ``name``: two bulk inserts, no SCIM rows."""
    User.objects.bulk_create(
        [User(username=f"{name}-{n:05d}", password="!") for n in range(size)], batch_size=2000
    )
    group = Group.objects.create(name=name)
    pks = User.objects.filter(username__startswith=f"{name}-").values_list("pk", flat=True)
    Membership.objects.bulk_create(
        [Membership(user_id=pk, group_id=group.pk) for pk in pks], batch_size=2000
    )


def depopulate(name: str) -> None:
    """By the group's key, not a join on its name: with the statistics of a freshly
    filled table PostgreSQL may plan that join as a nested loop over 10,000 rows."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        Membership.objects.filter(group_id=group.pk).delete()
        group.delete()
    User.objects.filter(username__startswith=f"{name}-").delete()


@pytest.fixture(scope="module")
def groups(django_db_setup, django_db_blocker):
    """Both groups, built once for the module (committed) and removed afterwards; each
    test still runs in its own rolled-back transaction."""
    with django_db_blocker.unblock():
        populate("big", BIG)
        populate("small", SMALL)
    yield
    with django_db_blocker.unblock():
        depopulate("big")
        depopulate("small")


def scim_id(scim, endpoint: str, attribute: str, value: str) -> str:
    query = f'{endpoint}?filter={attribute} eq "{value}"&attributes=id'
    resources = body(scim.get(query))["Resources"]
    assert len(resources) == 1
    return resources[0]["id"]


class Subject:
    """One group and the ids a PATCH on it needs."""

    def __init__(self, scim, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self.group_id = scim_id(scim, "Groups", "displayName", name)
        self.first = scim_id(scim, "Users", "userName", f"{name}-00000")
        self.second = scim_id(scim, "Users", "userName", f"{name}-00001")

    def count(self) -> int:
        return Group.objects.get(name=self.name).user_set.count()


@pytest.fixture
def world(groups, scim):
    """A 10,000-member group, a 10-member group, and one user in neither."""
    big = Subject(scim, "big", BIG)
    small = Subject(scim, "small", SMALL)
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "newcomer"})
    newcomer = body(response)["id"]
    return big, small, newcomer


def measure(scim, subject: Subject, payload: dict, query: str = "") -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = scim.patch(f"Groups/{subject.group_id}{query}", payload)
    assert response.status_code in (200, 204), body(response)
    return len(queries), response


def both(scim, world, make_payload, query: str = "excludedAttributes=members"):
    """The query counts of the same PATCH on the big and the small group."""
    big, small, newcomer = world
    counts = []
    for subject in (big, small):
        count, response = measure(scim, subject, make_payload(subject, newcomer), f"?{query}")
        if response.status_code == 200:
            assert "members" not in body(response)
        counts.append(count)
    return counts


def test_add_one_member_costs_the_same(scim, world):
    """Entra "Add members" (idp_quirks E-17): one member added to 10,000 or to 10."""
    big, small, _ = world

    def payload(subject, newcomer):
        return ops({"op": "Add", "path": "members", "value": [{"$ref": None, "value": newcomer}]})

    big_count, small_count = both(scim, world, payload)
    assert big_count == small_count
    assert (big.count(), small.count()) == (BIG + 1, SMALL + 1)


def test_remove_one_member_by_filter_costs_the_same(scim, world):
    """Okta and Entra (flag) ``remove members[value eq "id"]`` (idp_quirks O-10, E-18)."""
    big, small, _ = world

    def payload(subject, newcomer):
        return ops({"op": "remove", "path": f'members[value eq "{subject.first}"]'})

    big_count, small_count = both(scim, world, payload)
    assert big_count == small_count
    assert (big.count(), small.count()) == (BIG - 1, SMALL - 1)


def test_remove_one_member_by_value_list_costs_the_same(scim, world):
    """Entra default job ``Remove members`` with a value list (idp_quirks E-18)."""
    big, small, _ = world

    def payload(subject, newcomer):
        return ops({"op": "Remove", "path": "members", "value": [{"value": subject.second}]})

    big_count, small_count = both(scim, world, payload)
    assert big_count == small_count
    assert (big.count(), small.count()) == (BIG - 1, SMALL - 1)


def test_okta_rename_with_membership_change_costs_the_same(scim, world):
    """Okta sends the rename with every membership update (idp_quirks O-09, O-10)."""

    def payload(subject, newcomer):
        return ops(
            {"op": "replace", "value": {"id": subject.group_id, "displayName": subject.name}},
            {"op": "remove", "path": f'members[value eq "{subject.first}"]'},
            {"op": "add", "path": "members", "value": [{"value": newcomer}]},
        )

    big_count, small_count = both(scim, world, payload, "attributes=displayName")
    assert big_count == small_count


def test_no_content_answer_costs_the_same(scim, world, settings):
    """PATCH_NO_CONTENT = ["Group"] (docs/dialects.md, Entra's advice for large groups):
    204, nothing serialised, the same queries for both sizes."""
    settings.SCIM = {"PATCH_NO_CONTENT": ["Group"]}
    big, small, _ = world

    def payload(subject, newcomer):
        return ops({"op": "Add", "path": "members", "value": [{"value": newcomer}]})

    big_count, small_count = both(scim, world, payload, "")
    assert big_count == small_count
    assert big.count() == BIG + 1


def test_members_are_shown_when_asked(scim, world):
    """RFC 7644 §3.9: ``attributes=members`` asks for the members, and gets them all."""
    _, small, newcomer = world
    payload = ops({"op": "add", "path": "members", "value": [{"value": newcomer}]})
    _, response = measure(scim, small, payload, "?attributes=members")
    assert len(body(response)["members"]) == SMALL + 1
