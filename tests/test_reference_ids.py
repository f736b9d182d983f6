"""The ids a reference shows (a group's ``members``, a user's ``groups``), RFC 7643 §4.2.

A reference's ``value`` is the target's SCIM id: the one its side row holds,
else the one derived from its key. It is read with the reference itself, as a
correlated subquery on the side table keyed by the target's key as text, so
the text of a key in SQL must be exactly ``str(pk)``, as side rows store it.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import F

from django_scim import identity
from django_scim.models import ResourceRecord
from django_scim.storage import expressions
from tests.conftest import body

User = get_user_model()

pytestmark = pytest.mark.django_db


def test_an_integer_key_as_text_is_its_str():
    user = User.objects.create(username="bjensen")
    text = (
        User.objects.annotate(text=expressions.key_text(User, F("pk")))
        .values_list("text", flat=True)
        .get()
    )
    assert text == str(user.pk)


def test_a_uuid_key_as_text_is_its_str():
    """A UUID key's text is dashed, lower-case hex on every backend (SQLite stores the
    32 digits alone)."""
    record = ResourceRecord.objects.create(resource_type="User", object_pk="1")
    text = (
        ResourceRecord.objects.annotate(text=expressions.key_text(ResourceRecord, F("pk")))
        .values_list("text", flat=True)
        .get()
    )
    assert text == str(record.pk)


def test_members_show_held_ids_and_derived_ones(scim):
    """Of 150 members, those with a side row show its id, the others the derived id."""
    users = User.objects.bulk_create([User(username=f"m{n:03d}") for n in range(150)])
    users = list(User.objects.order_by("pk"))
    group = Group.objects.create(name="Guides")
    group.user_set.add(*users)
    held = {user.pk: uuid.uuid4() for user in users[::3]}
    ResourceRecord.objects.bulk_create(
        [ResourceRecord(id=i, resource_type="User", object_pk=str(pk)) for pk, i in held.items()]
    )
    shown = body(scim.get(f"Groups/{identity.derived_text('Group', group.pk)}"))["members"]
    expected = {
        str(held[user.pk]) if user.pk in held else identity.derived_text("User", user.pk)
        for user in users
    }
    assert {member["value"] for member in shown} == expected
    assert len(shown) == 150


def test_a_users_groups_show_their_held_ids(scim):
    user = User.objects.create(username="bjensen")
    named, plain = Group.objects.create(name="named"), Group.objects.create(name="plain")
    user.groups.add(named, plain)
    held = uuid.uuid4()
    ResourceRecord.objects.create(id=held, resource_type="Group", object_pk=str(named.pk))
    shown = body(scim.get(f"Users/{identity.derived_text('User', user.pk)}"))["groups"]
    assert {group["display"]: group["value"] for group in shown} == {
        "named": str(held),
        "plain": identity.derived_text("Group", plain.pk),
    }
