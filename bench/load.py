"""Hold an identity-provider-like SCIM load on a server for a fixed time; report rate and latency.

    python bench/load.py --url http://127.0.0.1:8000/scim/v2 --token TOKEN
    bench/load-run                  # starts PostgreSQL, seeds, serves example_project, runs this

The mix imitates an IdP's steady state: mostly userName lookups (the IdP's
"does this user exist?") and PATCHes (activate/deactivate, rename), some
creates, some group member adds. It expects the data of bench/seed.py (users
user00000..., groups team00..team19). Loopback only: any other host is
refused. Every response status is checked: anything but the expected status
(or a transport error) counts as an error, and the exit status is 1 when there
was any.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"

# operation -> share of requests (percent)
MIX = {
    "lookup userName": 55,
    "PATCH user": 30,
    "create user": 8,
    "group member add": 7,
}


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)

    def error(self, op: str, text: str) -> None:
        self.errors[op] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{op}: {text}")


@dataclass
class Target:
    users: int
    user_ids: list[str]
    group_ids: list[str]
    created: int = 0


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"refusing to send load to {host!r}: loopback addresses only")


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def request_for(
    op: str, target: Target, rng: random.Random, worker: int
) -> tuple[str, str, dict, set[int]]:
    """(method, path, httpx keyword arguments, expected statuses) for one operation."""
    if op == "lookup userName":
        name = f"user{rng.randrange(target.users):05d}"
        return "GET", "/Users", {"params": {"filter": f'userName eq "{name}"'}}, {200}
    if op == "PATCH user":
        scim_id = rng.choice(target.user_ids)
        if rng.random() < 0.7:
            operation = {"op": "replace", "path": "active", "value": rng.random() < 0.5}
        else:
            operation = {
                "op": "replace",
                "path": "name.familyName",
                "value": f"Renamed{rng.randrange(1000)}",
            }
        return "PATCH", f"/Users/{scim_id}", {"json": patch(operation)}, {200, 204}
    if op == "create user":
        target.created += 1
        name = f"load-{worker}-{target.created}-{rng.randrange(10**9)}"
        body = {
            "schemas": [USER_SCHEMA],
            "userName": name,
            "name": {"givenName": "Load", "familyName": "Test"},
            "emails": [{"value": f"{name}@example.test", "type": "work", "primary": True}],
            "active": True,
        }
        return "POST", "/Users", {"json": body}, {201}
    member = rng.choice(target.user_ids)
    group = rng.choice(target.group_ids)
    body = patch({"op": "add", "path": "members", "value": [{"value": member}]})
    return "PATCH", f"/Groups/{group}", {"json": body}, {200, 204}


async def worker(
    number: int, client: httpx.AsyncClient, target: Target, deadline: float, stats: Stats, seed: int
) -> None:
    rng = random.Random(seed * 1000 + number)
    ops, weights = list(MIX), list(MIX.values())
    while time.perf_counter() < deadline:
        op = rng.choices(ops, weights)[0]
        method, path, kwargs, expected = request_for(op, target, rng, number)
        started = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            stats.error(op, f"{method} {path}: {type(exc).__name__} {exc}")
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in expected:
            stats.error(op, f"{method} {path} -> {response.status_code}: {response.text[:200]}")
            continue
        stats.latencies[op].append(elapsed)


async def prepare(client: httpx.AsyncClient, users: int, sample: int) -> Target:
    """SCIM ids of a sample of seeded users and of the team groups (untimed)."""
    rng = random.Random(1)
    ids = []
    for n in rng.sample(range(users), min(sample, users)):
        response = await client.get("/Users", params={"filter": f'userName eq "user{n:05d}"'})
        response.raise_for_status()
        ids.extend(resource["id"] for resource in response.json()["Resources"])
    response = await client.get(
        "/Groups", params={"filter": 'displayName sw "team"', "excludedAttributes": "members"}
    )
    response.raise_for_status()
    groups = [resource["id"] for resource in response.json()["Resources"]]
    if not ids or not groups:
        sys.exit("no seeded users or team groups found: seed with bench/seed.py first")
    return Target(users=users, user_ids=ids, group_ids=groups)


def children_cpu(parent: int) -> float:
    """CPU seconds used so far by the children of ``parent`` (Linux /proc; 0 elsewhere)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return 0.0
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def cpu_snapshot(watched: list[tuple[str, int]]) -> list[float]:
    return [children_cpu(pid) for _, pid in watched]


def quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def report(stats: Stats, elapsed: float, args: argparse.Namespace, cpu: list[str]) -> int:
    every = [ms for values in stats.latencies.values() for ms in values]
    errors = sum(stats.errors.values())
    lines = [
        f"{args.duration:.0f} s, {args.concurrency} concurrent clients, {args.url}",
        "",
        "| operation | requests | req/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for op in MIX:
        values = stats.latencies.get(op, [])
        if values:
            lines.append(
                f"| {op} | {len(values):,} | {len(values) / elapsed:,.1f} | "
                f"{quantile(values, 0.5):,.1f} | {quantile(values, 0.99):,.1f} | "
                f"{stats.errors[op]} |"
            )
        else:
            lines.append(f"| {op} | 0 | 0 | – | – | {stats.errors[op]} |")
    if every:
        lines.append(
            f"| **all** | {len(every):,} | {len(every) / elapsed:,.1f} | "
            f"{quantile(every, 0.5):,.1f} | {quantile(every, 0.99):,.1f} | {errors} |"
        )
    if cpu:
        lines += ["", "CPU time during the run: " + "; ".join(cpu) + "."]
    print("\n".join(lines))
    for sample in stats.samples:
        print(f"error: {sample}", file=sys.stderr)
    return 1 if errors or not every else 0


async def run(args: argparse.Namespace) -> int:
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/scim+json"}
    async with httpx.AsyncClient(
        base_url=args.url.rstrip("/"), headers=headers, limits=limits, timeout=args.timeout
    ) as client:
        target = await prepare(client, args.users, args.sample)
        stats = Stats()
        cpu_before = cpu_snapshot(args.cpu_of)
        started = time.perf_counter()
        deadline = started + args.duration
        await asyncio.gather(
            *(
                worker(n, client, target, deadline, stats, args.seed)
                for n in range(args.concurrency)
            )
        )
        elapsed = time.perf_counter() - started
        done = sum(len(values) for values in stats.latencies.values()) or 1
        cpu = [
            f"{name} {after - before:.1f} s ({(after - before) * 1000 / done:.1f} ms per request)"
            for (name, _), before, after in zip(
                args.cpu_of, cpu_before, cpu_snapshot(args.cpu_of), strict=True
            )
        ]
        return report(stats, elapsed, args, cpu)


def named_pid(text: str) -> tuple[str, int]:
    name, _, pid = text.rpartition("=")
    if not name or not pid.isdigit():
        raise argparse.ArgumentTypeError("expected NAME=PID")
    return name, int(pid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SCIM base URL on this machine")
    parser.add_argument("--token", required=True)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds (default 120)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    parser.add_argument("--users", type=int, default=5000, help="users seeded by bench/seed.py")
    parser.add_argument(
        "--sample", type=int, default=200, help="users whose ids are resolved for PATCH"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--cpu-of",
        action="append",
        default=[],
        type=named_pid,
        metavar="NAME=PID",
        help="also report the CPU time used by the children of PID (repeatable; Linux)",
    )
    args = parser.parse_args()
    check_loopback(args.url)
    if not 0 < args.duration <= 3600:
        parser.error("--duration must be between 0 and 3600 seconds")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
