"""Paging benchmark: the first and a deep page by index (startIndex) and by cursor (RFC 9865).

    python bench/cursor.py                      # SQLite, 100,000 users
    python bench/cursor.py --size 20000 --rounds 10
    SCIM_BENCH_DB=postgres SCIM_PG_PORT=... python bench/cursor.py

Runs the whole request path in-process, as ``bench/search.py`` does (and
seeds the same users). For each order (the default one, and ``sortBy=userName``,
which is what an identity provider reconciling a tenant reads) it measures a
page of 100 at the start and at the end of the population, by index and by
cursor, and then walks every page both ways. The point to read: a deep cursor
page costs what the first one does (the database starts at the cursor's key),
a deep index page costs more the deeper it is (the database counts past every
row before it, and COUNTs the whole result), and a whole walk by index grows
with the square of the population.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.search import create_client, measure, reset_database, seed  # noqa: E402

PAGE = 100


def walk(client: Client, token: str, path: str, by_cursor: bool, population: int) -> tuple:
    """Every page of ``path``; the seconds it took, and the last page's cursor."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    started = time.perf_counter()
    cursor, last, start = "", "", 1
    seen = 0
    while True:
        paged = f"{path}&cursor={cursor}" if by_cursor else f"{path}&startIndex={start}"
        page = json.loads(client.get(paged, **headers).content)
        seen += len(page["Resources"])
        if by_cursor:
            if "nextCursor" not in page:
                break
            last, cursor = cursor, page["nextCursor"]
        else:
            start += PAGE
            if start > population:
                break
    assert seen == population, (seen, population)
    return time.perf_counter() - started, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    reset_database()
    _client, token = create_client("bench", "bench-token-0123456789")
    client = Client()
    started = time.perf_counter()
    seed(0, args.size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    print(f"database: {connection.vendor}; seeded {args.size} users in {seconds:.1f} s")
    print(f"{'order':10} {'page':24} {'median ms':>10} {'queries':>8}")
    deep = args.size - PAGE + 1
    for order, query in (("default", ""), ("userName", "&sortBy=userName")):
        path = f"/scim/v2/Users?count={PAGE}{query}"
        index_walk, _ = walk(client, token, path, False, args.size)
        cursor_walk, last = walk(client, token, path, True, args.size)
        pages = {
            "index, first": f"{path}&startIndex=1",
            f"index, startIndex={deep}": f"{path}&startIndex={deep}",
            "cursor, first": f"{path}&cursor=",
            "cursor, last": f"{path}&cursor={last}",
        }
        for name, paged in pages.items():
            median, queries = measure(client, token, paged, args.rounds)
            print(f"{order:10} {name:24} {median:>10.2f} {queries:>8}")
        pages_count = -(-args.size // PAGE)
        print(f"{order:10} {'whole walk, index':24} {index_walk:>9.1f}s {pages_count:>8} pages")
        print(f"{order:10} {'whole walk, cursor':24} {cursor_walk:>9.1f}s {pages_count:>8} pages")


if __name__ == "__main__":
    main()
