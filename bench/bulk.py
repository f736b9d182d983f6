"""Bulk benchmark: 1,000 user creates as one /Bulk request versus 1,000 POSTs.

    python bench/bulk.py                        # SQLite file in the temporary directory
    python bench/bulk.py --count 2000
    SCIM_BENCH_DB=postgres SCIM_PG_PORT=... python bench/bulk.py

Runs the whole request path in-process (Django test client through DRF,
authentication, the writer, the provisioning log, written after each
response), on an emptied database each time. Prints, for each way: the wall
time, the SQL queries, and for the Bulk request the peak Python memory it
allocated (tracemalloc, in a run of its own, as tracing slows everything
down); then the same for a Bulk of 1,000 PATCH operations, each with its
``version`` (If-Match). The point to read: one Bulk request does the same
writes with fewer statements than separate requests (no authentication, no
response body read back, one log insert for all its operations), and its
memory grows with the request, not with the table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.search import reset_database  # noqa: E402
from django_scim import jsoncodec, provisioning_log  # noqa: E402
from django_scim.clients import create_client  # noqa: E402
from django_scim.constants import BULK_REQUEST, PATCH_OP, USER_SCHEMA  # noqa: E402

TOKEN = "bench-token-0123456789"
SCIM_JSON = "application/scim+json"


def fresh_client() -> Client:
    """An emptied database with one client, whose token the returned test client sends."""
    reset_database()
    create_client("bench", TOKEN)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    client.get("/scim/v2/ServiceProviderConfig")  # last_used written once, not in the figures
    return client


def user(n: int) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": f"user{n:06d}",
        "name": {"givenName": "First", "familyName": f"Last{n}"},
        "emails": [{"value": f"user{n:06d}@example.test", "type": "work", "primary": True}],
        "externalId": f"ext-{n}",
    }


class QueryCount:
    """Counts the statements run while active (Django's query log keeps only 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCount:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)


def post(client: Client, path: str, body: dict) -> object:
    response = client.post(path, jsoncodec.dumps(body), content_type=SCIM_JSON)
    provisioning_log.flush()
    return response


def separate_posts(count: int) -> tuple[float, int]:
    client = fresh_client()
    with QueryCount() as queries:
        started = time.perf_counter()
        for n in range(count):
            response = post(client, "/scim/v2/Users", user(n))
            assert response.status_code == 201, response.content[:300]
        spent = time.perf_counter() - started
    return spent, queries.count


def bulk_request(operations: list[dict]) -> dict:
    return {"schemas": [BULK_REQUEST], "Operations": operations}


def creates(count: int) -> dict:
    return bulk_request(
        [
            {"method": "POST", "path": "/Users", "bulkId": f"u{n}", "data": user(n)}
            for n in range(count)
        ]
    )


def run_bulk(client: Client, request: dict, memory: bool) -> tuple[float, int, int, dict]:
    if memory:
        tracemalloc.start()
    with QueryCount() as queries:
        started = time.perf_counter()
        response = post(client, "/scim/v2/Bulk", request)
        spent = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    if memory:
        tracemalloc.stop()
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    failed = [r for r in data["Operations"] if int(r["status"]) >= 400]
    assert not failed, failed[:3]
    return spent, queries.count, peak, data


def patches(results: dict) -> dict:
    return bulk_request(
        [
            {
                "method": "PATCH",
                "path": result["location"].split("/scim/v2", 1)[1],
                "version": result["version"],
                "data": {
                    "schemas": [PATCH_OP],
                    "Operations": [{"op": "replace", "path": "title", "value": "Guide"}],
                },
            }
            for result in results["Operations"]
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    count = parser.parse_args().count
    print(f"database: {connection.vendor}; {count} users\n")
    print("| request | wall time | queries | peak Python memory |")
    print("| --- | ---: | ---: | ---: |")
    spent, queries = separate_posts(count)
    print(f"| {count} × POST /Users | {spent:.2f} s | {queries} | – |")
    spent, queries, _, _ = run_bulk(fresh_client(), creates(count), memory=False)
    print(f"| 1 × POST /Bulk, {count} creates | {spent:.2f} s | {queries} | – |")
    client = fresh_client()
    _, queries, peak, created = run_bulk(client, creates(count), memory=True)
    print(f"| the same, traced | – | {queries} | {peak / 2**20:.1f} MiB |")
    spent, queries, _, _ = run_bulk(client, patches(created), memory=False)
    print(f"| 1 × POST /Bulk, {count} PATCH with version | {spent:.2f} s | {queries} | – |")
    client = fresh_client()
    _, _, _, created = run_bulk(client, creates(count), memory=False)
    _, queries, peak, _ = run_bulk(client, patches(created), memory=True)
    print(f"| the same, traced | – | {queries} | {peak / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()
