"""Tenancy benchmark: a userName lookup by a tenant-bound client against an unbound one.

    python bench/tenancy.py                       # SQLite, 100,000 users
    python bench/tenancy.py --size 20000 --rounds 50
    SCIM_BENCH_DB=postgres SCIM_PG_PORT=... python bench/tenancy.py

Seeds the users of ``bench/search.py`` (each with a side row, a work e-mail
and group memberships), then moves every other one into the tenant ``acme``:
its username gets the tenant's prefix (``acme+user000042``, as the stock
userName mapping stores a tenant's names) and its side row the tenant. An
unbound client looks up the others, a client bound to ``acme`` looks up the
tenant's, alternately, with the whole request path in-process. What to read:
the tenant's lookup costs the same statements and within 1.2x the time (its
scope is one probe of the side table's unique index per row the name index
finds), and the ratio does not grow with the population.
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

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F, Value  # noqa: E402
from django.db.models.functions import Concat, Mod  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.search import create_client, reset_database, seed  # noqa: E402
from django_scim.models import ResourceRecord  # noqa: E402

TENANT = "acme"


def into_tenant() -> None:
    """Every user with an even key moves into the tenant (name prefix, side row's tenant)."""
    even = User.objects.annotate(parity=Mod(F("pk"), 2)).filter(parity=0)
    keys = [str(pk) for pk in even.values_list("pk", flat=True)]
    even.update(username=Concat(Value(f"{TENANT}+"), F("username")))
    for start in range(0, len(keys), 5000):
        ResourceRecord.objects.filter(
            resource_type="User", object_pk__in=keys[start : start + 5000]
        ).update(tenant=TENANT)


def timed(client: Client, token: str, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.content[:300])
    found = response.json()["totalResults"]
    assert found == 1, (path, found)
    return elapsed, found


def statements(client: Client, token: str, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)
    reset_database()
    _unbound, unbound_token = create_client("unbound", "bench-token-unbound-0123456789")
    _bound, bound_token = create_client("acme", "bench-token-acme-0123456789", tenant=TENANT)
    started = time.perf_counter()
    seed(0, args.size)
    into_tenant()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"database: {connection.vendor}; seeded {args.size} users in "
        f"{time.perf_counter() - started:.1f} s, half of them in tenant {TENANT!r}"
    )
    keys = dict(User.objects.values_list("username", "pk"))
    plain = sorted(name for name in keys if "+" not in name)
    tenant = sorted(name.split("+", 1)[1] for name in keys if "+" in name)
    client = Client()

    def lookup(name: str) -> str:
        return f'/scim/v2/Users?filter=userName eq "{name}"'

    # Warm-up (and each client's last_used write) before anything is timed.
    timed(client, unbound_token, lookup(plain[0]))
    timed(client, bound_token, lookup(tenant[0]))
    times: dict[str, list[float]] = {"unbound": [], "bound": []}
    for _ in range(args.rounds):
        times["unbound"].append(timed(client, unbound_token, lookup(rng.choice(plain)))[0])
        times["bound"].append(timed(client, bound_token, lookup(rng.choice(tenant)))[0])
    medians = {name: statistics.median(values) for name, values in times.items()}
    counts = {
        "unbound": statements(client, unbound_token, lookup(plain[1])),
        "bound": statements(client, bound_token, lookup(tenant[1])),
    }
    print(f"{'client':10} {'median ms':>10} {'statements':>11}")
    for name in ("unbound", "bound"):
        print(f"{name:10} {medians[name]:>10.2f} {counts[name]:>11}")
    print(f"bound / unbound: {medians['bound'] / medians['unbound']:.2f}x")


if __name__ == "__main__":
    main()
