"""Search benchmark: median latency and queries per lookup, at two population sizes.

    python bench/search.py                      # SQLite, 10,000 then 100,000 users
    SCIM_BENCH_DB=postgres SCIM_PG_PORT=... python bench/search.py

Runs the whole request path in-process (Django test client through DRF,
authentication, filter translation, rendering, the provisioning log), so the
figures compare the sizes with each other, not with a network server. Seeds
users with a work e-mail, an externalId and one to three group memberships,
using bulk inserts. The point to read: lookups by userName, externalId and
emails.value cost about the same at 100,000 users as at 10,000 (indexes).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from django_scim.clients import create_client  # noqa: E402
from django_scim.identity import derived_id  # noqa: E402
from django_scim.models import ResourceElement, ResourceRecord  # noqa: E402

BATCH = 5000
GROUPS = 20
PASSWORD = "!unusable"


def reset_database() -> None:
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
        connection.close()
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def seed(start: int, stop: int) -> None:
    """Users start..stop-1 with side rows, a work e-mail element and group memberships."""
    groups = list(Group.objects.order_by("pk"))
    if not groups:
        groups = Group.objects.bulk_create([Group(name=f"group{n:03d}") for n in range(GROUPS)])
    membership = User.groups.through
    for low in range(start, stop, BATCH):
        high = min(stop, low + BATCH)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"user{n:06d}",
                    email=f"user{n:06d}@example.test",
                    first_name="First",
                    last_name=f"Last{n % 997}",
                    password=PASSWORD,
                    is_active=n % 10 != 0,
                )
                for n in range(low, high)
            ]
        )
        if users[0].pk is None:  # backends that do not return keys from bulk inserts
            users = list(
                User.objects.filter(
                    username__gte=f"user{low:06d}", username__lt=f"user{high:06d}"
                ).order_by("username")
            )
        records = ResourceRecord.objects.bulk_create(
            [
                ResourceRecord(
                    id=derived_id("User", user.pk),  # the id SCIM gives what it creates
                    resource_type="User",
                    object_pk=str(user.pk),
                    external_id=f"ext-{user.username}",
                    attributes={"emails": [{"value": user.email, "type": "work", "primary": True}]},
                )
                for user in users
            ]
        )
        ResourceElement.objects.bulk_create(
            [
                ResourceElement(
                    record=record,
                    attribute="emails",
                    position=0,
                    data=record.attributes["emails"][0],
                    value_key=record.attributes["emails"][0]["value"].lower(),
                    in_column=True,  # the primary e-mail is the one the column holds
                )
                for record in records
            ]
        )
        membership.objects.bulk_create(
            [
                membership(user_id=user.pk, group_id=groups[(user.pk + k) % GROUPS].pk)
                for user in users
                for k in range(1 + user.pk % 3)
            ]
        )


def measure(client: Client, token: str, path: str, rounds: int) -> tuple[float, int]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get(path, **headers)  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as captured:
        client.get(path, **headers)
    return statistics.median(times), len(captured.captured_queries)


def operations(population: int, rng: random.Random) -> dict[str, str]:
    n = rng.randrange(population)
    start = rng.randrange(1, max(2, population - 100))
    return {
        "userName eq (other case)": f'/scim/v2/Users?filter=userName eq "USER{n:06d}"',
        "externalId eq": f'/scim/v2/Users?filter=externalId eq "ext-user{n:06d}"',
        "emails.value eq": f'/scim/v2/Users?filter=emails.value eq "user{n:06d}@example.test"',
        "userName sw and active eq": (
            f'/scim/v2/Users?filter=userName sw "user{n // 10:05d}" and active eq true'
        ),
        "page of 100 sorted by userName": (
            f"/scim/v2/Users?sortBy=userName&count=100&startIndex={start}"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(7)
    reset_database()
    _client, token = create_client("bench", "bench-token-0123456789")
    client = Client()
    print(f"database: {connection.vendor}")
    print(f"{'operation':34} {'users':>8} {'median ms':>10} {'queries':>8}")
    seeded = 0
    for size in sorted(args.sizes):
        started = time.perf_counter()
        seed(seeded, size)
        seeded = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"# seeded {size} users in {time.perf_counter() - started:.1f} s")
        for name, path in operations(size, rng).items():
            median, queries = measure(client, token, path, args.rounds)
            print(f"{name:34} {size:>8} {median:>10.2f} {queries:>8}")


if __name__ == "__main__":
    main()
