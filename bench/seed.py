"""Seed one benchmark data set into whichever site DJANGO_SETTINGS_MODULE names.

    PYTHONPATH=. DJANGO_SETTINGS_MODULE=example_project.settings python bench/seed.py --token T
    PYTHONPATH=bench/peer/site DJANGO_SETTINGS_MODULE=peer_site.settings \
        python bench/seed.py --token T      # in the peer's own virtualenv
    PYTHONPATH=.:bench/peer DJANGO_SETTINGS_MODULE=bench.baseline.settings \
        python bench/seed.py --token T      # the baseline

Every site gets the same rows: users user00000..., given name Given<n % 97>,
family name Family<n % 50> (so each family name has users/50 members), a work
e-mail, all active; a group "big-group" holding the first --big users; and 20
groups team00..team19 (user n is in team n % 20). The database is migrated and
emptied first.

The API credential differs by site: this app and the baseline (bench/baseline/)
get a SCIMClient with the given token, and a side-table row for every user and
group; the peer site gets its service user (its middleware maps the token).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

TEAMS = 20
FAMILIES = 50


def is_this_app() -> bool:
    """True in a site with this project's django_scim installed: this app's and the
    baseline's (the peer's django_scim has no ResourceRecord)."""
    import django_scim.models

    return hasattr(django_scim.models, "ResourceRecord")


def seed_users(count: int) -> list:
    user_model = get_user_model()
    users = [
        user_model(
            username=f"user{n:05d}",
            first_name=f"Given{n % 97}",
            last_name=f"Family{n % FAMILIES:02d}",
            email=f"user{n:05d}@example.test",
            password="!",
            is_active=True,
        )
        for n in range(count)
    ]
    created = user_model.objects.bulk_create(users, batch_size=1000)
    if created and created[0].pk is None:  # a backend that returns no keys
        created = list(user_model.objects.order_by("username"))
    return created


def seed_groups(users: list, big: int) -> list:
    groups = Group.objects.bulk_create(
        [Group(name="big-group")] + [Group(name=f"team{k:02d}") for k in range(TEAMS)]
    )
    if groups[0].pk is None:
        groups = list(Group.objects.order_by("pk"))
    big_group, teams = groups[0], groups[1:]
    membership = get_user_model().groups.through
    rows = [membership(user_id=u.pk, group_id=big_group.pk) for u in users[:big]]
    rows += [membership(user_id=u.pk, group_id=teams[n % TEAMS].pk) for n, u in enumerate(users)]
    membership.objects.bulk_create(rows, batch_size=2000)
    return groups


def side_rows(resource_type: str, objs: list) -> None:
    """A side-table row (the id derived from the object's key, no externalId, no
    attributes) for each object, as provisioning them over SCIM leaves it; in every site
    that has the table (this app's and the baseline's)."""
    from django_scim.identity import derived_id
    from django_scim.models import ResourceRecord

    now = timezone.now()
    rows = [
        ResourceRecord(
            id=derived_id(resource_type, obj.pk),
            resource_type=resource_type,
            object_pk=str(obj.pk),
            created=now,
            last_modified=now,
        )
        for obj in objs
    ]
    ResourceRecord.objects.bulk_create(rows, batch_size=1000)


def credential(token: str) -> None:
    if is_this_app():
        from django_scim.clients import create_client

        create_client("bench", token)
    else:
        get_user_model().objects.create(
            username=settings.PEER_SERVICE_USER, is_active=True, is_staff=True, password="!"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--big", type=int, default=1000, help="members of big-group")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        users = seed_users(args.users)
        groups = seed_groups(users, args.big)
        if is_this_app():
            side_rows("User", users)
            side_rows("Group", groups)
        credential(args.token)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    site = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    print(
        f"seeded {site}: {len(users)} users, {len(groups)} groups "
        f"({connection.vendor}) in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
