"""The provisioning log at scale: page times and query counts at 10,000 and 1,000,000 rows.

    python bench/log_scale.py                         # SQLite, 10,000 then 1,000,000 rows
    python bench/log_scale.py --sizes 10000 100000    # other sizes
    SCIM_BENCH_DB=postgres SCIM_PG_PORT=... python bench/log_scale.py

Seeds log rows in bulk (five clients, 30 days, mostly reads, a few per cent
refused or failed, 10,000 distinct users), then requests each page the
people who run a connection use — the log list, its filters and date
hierarchy, an entry, the client list, a client's health page, a user's
history, the log API — in-process with Django's test client, signed in as a
superuser. Prints the median time of ``--rounds`` requests and the number of
queries for each page at each size, and the ratio of the largest size's
median to the smallest's. What to read: the query counts do not change with
the size, and no page reads the whole table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault(
    "SCIM_BENCH_SQLITE",
    str(Path(os.environ.get("TMPDIR", "/tmp")) / "django_scim_bench_log.sqlite3"),
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.search import reset_database  # noqa: E402
from django_scim.identity import derived_id  # noqa: E402
from django_scim.models import ProvisioningLog, SCIMClient  # noqa: E402

BATCH = 10_000
CLIENTS = 5
USERS = 10_000
DAYS = 30
OUTCOMES = (
    [(200, "", "read", "GET")] * 80
    + [(200, "", "patch", "PATCH")] * 10
    + [(201, "", "create", "POST")] * 5
    + [(409, "uniqueness", "create", "POST")] * 2
    + [(400, "invalidFilter", "list", "GET")] * 1
    + [(404, "", "read", "GET")] * 1
    + [(500, "", "patch", "PATCH")] * 1
)


def seed(clients: list[SCIMClient], start: int, stop: int, now) -> None:
    rng = random.Random(start)
    ids = [str(derived_id("User", pk)) for pk in range(1, USERS + 1)]
    for first in range(start, stop, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, stop)):
            client = clients[n % len(clients)]
            status, scim_type, operation, method = rng.choice(OUTCOMES)
            resource_id = rng.choice(ids)
            rows.append(
                ProvisioningLog(
                    created=now - timedelta(seconds=rng.random() * DAYS * 86400),
                    client=client,
                    client_name=client.name,
                    method=method,
                    path=f"/scim/v2/Users/{resource_id}",
                    resource_type="User",
                    resource_id=resource_id,
                    operation=operation,
                    status=status,
                    scim_type=scim_type,
                    duration_ms=round(rng.random() * 20, 3),
                    changes=[{"path": "active", "before": True, "after": False}]
                    if operation == "patch"
                    else [],
                )
            )
        ProvisioningLog.objects.bulk_create(rows)
    # The steady state of a live table: statistics gathered and, on PostgreSQL, the
    # visibility map set (autovacuum's work), so counts can read the index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def pages(client: SCIMClient, now) -> dict[str, str]:
    day = now - timedelta(days=2)
    entry = ProvisioningLog.objects.order_by("-created").values_list("pk", flat=True).first()
    user = str(derived_id("User", 42))
    log = "/admin/django_scim/provisioninglog/"
    recent = urlencode(
        {
            "status_min": 400,
            "status_max": 499,
            "created_after": (now - timedelta(hours=1)).isoformat(),
        }
    )
    return {
        "log list": log,
        "log list, status 409": f"{log}?status=409",
        "log list, one client": f"{log}?client__id__exact={client.pk}",
        "log list, outcome 5xx": f"{log}?outcome=5xx",
        "log list, one day": f"{log}?created__year={day.year}&created__month={day.month}"
        f"&created__day={day.day}",
        "log list, search by id": f"{log}?q={user}",
        "log entry": f"{log}{entry}/change/",
        "client list": "/admin/django_scim/scimclient/",
        "client health": f"/admin/django_scim/scimclient/{client.pk}/health/",
        "user history": f"{log}history/User/{user}/",
        "API page": "/scim-log/",
        "API, 4xx in the last hour": f"/scim-log/?{recent}",
    }


def measure(browser: Client, url: str, rounds: int) -> tuple[float, int]:
    response = browser.get(url)  # warm
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        browser.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    reset_database()
    now = timezone.now()
    clients = [SCIMClient(name=f"IdP {n}") for n in range(CLIENTS)]
    for record in clients:
        record.set_token()
    SCIMClient.objects.bulk_create(clients)
    clients = list(SCIMClient.objects.order_by("pk"))
    admin = get_user_model().objects.create_superuser("admin", "admin@example.test", "pw")
    browser = Client()
    browser.force_login(admin)
    results: dict[int, dict[str, tuple[float, int]]] = {}
    seeded = 0
    for size in sorted(args.sizes):
        started = time.perf_counter()
        seed(clients, seeded, size, now)
        seeded = size
        print(f"seeded {size:,} rows in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results[size] = {
            name: measure(browser, url, args.rounds) for name, url in pages(clients[0], now).items()
        }
    sizes = sorted(results)
    print(f"{connection.vendor}, median of {args.rounds} requests (ms) and queries per page")
    header = "| page | " + " | ".join(f"{s:,} rows" for s in sizes) + " | ratio |"
    print(header)
    print("|" + " --- |" * (len(sizes) + 2))
    for name in results[sizes[0]]:
        cells = [f"{results[s][name][0]:.1f} ms, {results[s][name][1]} q" for s in sizes]
        ratio = results[sizes[-1]][name][0] / results[sizes[0]][name][0]
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio:.1f}× |")


if __name__ == "__main__":
    main()
