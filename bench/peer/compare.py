"""One SCIM workload against three servers, interleaved: this project, django-scim2, a baseline.

Started by ``bench/peer/run``, which builds the sites, seeds the same data
into each (bench/seed.py) and serves them with gunicorn. Can also be pointed
at servers already running (the baseline is optional):

    python bench/peer/compare.py --ours URL --ours-token T --peer URL --peer-token T \
        [--baseline URL --baseline-token T]

Each round runs every operation once against each server, rotating which
server goes first, with the same parameters (same user, same page) for all.
Every response status is checked. An operation the peer answers with an
error (400/404/409/500/501), or whose result shows it ignored a parameter, is
reported as such instead of being timed as if it had done the work. An
unexpected status from this project or from the baseline (bench/baseline/,
which answers every request made here) is a failure (exit status 1).
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ERROR_STATUSES = {400, 404, 409, 500, 501}


class Unsupported(Exception):
    """The server answered an error for a well-formed request: it cannot do this."""


class Failure(Exception):
    """A status or body that is neither success nor a recognisable refusal."""


@dataclass
class Server:
    name: str
    label: str
    client: httpx.Client
    ids: dict[int, str] = field(default_factory=dict)
    group_id: str = ""
    requests: int = 0

    def call(
        self, method: str, path: str, expected: set[int], **kwargs: Any
    ) -> tuple[float, httpx.Response]:
        started = time.perf_counter()
        response = self.client.request(method, path, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        self.requests += 1
        if response.status_code not in expected:
            detail = response.text[:200].replace("\n", " ")
            message = (
                f"{method} {path} -> {response.status_code} (expected {sorted(expected)}): {detail}"
            )
            if response.status_code in ERROR_STATUSES:
                raise Unsupported(message)
            raise Failure(message)
        return elapsed, response

    def user_id(self, n: int) -> str:
        """The SCIM id of seeded user n (looked up once, outside any timing)."""
        if n not in self.ids:
            _, response = self.call(
                "GET", "/Users", {200}, params={"filter": f'userName eq "{username(n)}"'}
            )
            resources = response.json()["Resources"]
            if len(resources) != 1:
                raise Failure(f"{self.name}: user {username(n)} not found")
            self.ids[n] = resources[0]["id"]
        return self.ids[n]


def username(n: int) -> str:
    return f"user{n:05d}"


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


@dataclass
class Params:
    """What one round asks of every server."""

    round: int
    user: int
    other_user: int
    start: int
    family: int


# Each operation returns (milliseconds, note); the note is set when the server
# answered 2xx but visibly did not do what was asked.
Operation = Callable[[Server, Params, argparse.Namespace], tuple[float, str]]


def op_lookup(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    ms, response = server.call(
        "GET", "/Users", {200}, params={"filter": f'userName eq "{username(p.user)}"'}
    )
    body = response.json()
    if body["totalResults"] != 1 or body["Resources"][0]["userName"] != username(p.user):
        raise Failure(
            f"{server.name}: lookup of {username(p.user)} returned {body['totalResults']}"
        )
    return ms, ""


def op_get(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    scim_id = server.user_id(p.user)
    ms, response = server.call("GET", f"/Users/{scim_id}", {200})
    if response.json()["id"] != scim_id:
        raise Failure(f"{server.name}: GET /Users/{scim_id} returned another resource")
    return ms, ""


def op_page(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    ms, response = server.call("GET", "/Users", {200}, params={"startIndex": p.start, "count": 100})
    if len(response.json()["Resources"]) != 100:
        raise Failure(
            f"{server.name}: page at {p.start} has {len(response.json()['Resources'])} users"
        )
    return ms, ""


def op_filtered(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    family = f"Family{p.family:02d}"
    ms, response = server.call(
        "GET", "/Users", {200}, params={"filter": f'name.familyName eq "{family}"', "count": 100}
    )
    body = response.json()
    expected = args.users // 50
    if body["totalResults"] != expected or len(body["Resources"]) != min(100, expected):
        raise Unsupported(
            f"familyName filter gave totalResults={body['totalResults']}, "
            f"{len(body['Resources'])} resources (expected {expected})"
        )
    return ms, ""


def op_create_delete(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    name = f"new{p.round:05d}"
    payload = {
        "schemas": [USER_SCHEMA],
        "userName": name,
        "name": {"givenName": "New", "familyName": "Person"},
        "emails": [{"value": f"{name}@example.test", "type": "work", "primary": True}],
        "active": True,
    }
    created_ms, response = server.call("POST", "/Users", {201}, json=payload)
    deleted_ms, _ = server.call("DELETE", f"/Users/{response.json()['id']}", {204})
    return created_ms + deleted_ms, ""


def op_patch_active(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    scim_id = server.user_id(p.user)
    total = 0.0
    for value in (False, True):
        body = patch_body({"op": "replace", "path": "active", "value": value})
        ms, response = server.call("PATCH", f"/Users/{scim_id}", {200, 204}, json=body)
        if response.status_code == 200 and response.json().get("active") is not value:
            raise Failure(f"{server.name}: PATCH active {value} not applied")
        total += ms
    return total, ""


def _members(value: str) -> list[dict[str, str]]:
    return [{"value": value}]


def op_member_add_remove(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    """Add one member to the big group and remove it by value list (Entra ID's form)."""
    member = server.user_id(p.other_user)
    path = f"/Groups/{server.group_id}"
    add = patch_body({"op": "add", "path": "members", "value": _members(member)})
    remove = patch_body({"op": "remove", "path": "members", "value": _members(member)})
    added_ms, _ = server.call("PATCH", path, {200, 204}, json=add)
    removed_ms, _ = server.call("PATCH", path, {200, 204}, json=remove)
    return added_ms + removed_ms, ""


def op_member_remove_filter(
    server: Server, p: Params, args: argparse.Namespace
) -> tuple[float, str]:
    """Add one member, remove it with a value-filter path (Okta's form, RFC 7644 §3.5.2.2)."""
    member = server.user_id(p.other_user)
    path = f"/Groups/{server.group_id}"
    add = patch_body({"op": "add", "path": "members", "value": _members(member)})
    remove = patch_body({"op": "remove", "path": f'members[value eq "{member}"]'})
    added_ms, _ = server.call("PATCH", path, {200, 204}, json=add)
    try:
        removed_ms, _ = server.call("PATCH", path, {200, 204}, json=remove)
    except Unsupported:
        # Put the group back as it was, untimed, before reporting.
        fallback = patch_body({"op": "remove", "path": "members", "value": _members(member)})
        server.call("PATCH", path, {200, 204}, json=fallback)
        raise
    return added_ms + removed_ms, ""


def op_group(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    ms, response = server.call("GET", f"/Groups/{server.group_id}", {200})
    count = len(response.json().get("members", []))
    if count != args.big:
        raise Failure(f"{server.name}: big group has {count} members, expected {args.big}")
    return ms, ""


def op_group_no_members(server: Server, p: Params, args: argparse.Namespace) -> tuple[float, str]:
    ms, response = server.call(
        "GET", f"/Groups/{server.group_id}", {200}, params={"excludedAttributes": "members"}
    )
    body = response.json()
    if "members" in body:
        return ms, f"ignores excludedAttributes: returned {len(body['members'])} members"
    if body.get("displayName") != "big-group":
        raise Failure(f"{server.name}: GET group without members lost displayName")
    return ms, ""


OPERATIONS: list[tuple[str, Operation]] = [
    ('lookup `userName eq "…"`', op_lookup),
    ("GET /Users/{id}", op_get),
    ("list page, count=100", op_page),
    ('filtered list `name.familyName eq "…"` (100 hits)', op_filtered),
    ("create + delete user (2 requests)", op_create_delete),
    ("PATCH active false, then true (2 requests)", op_patch_active),
    ("group member add + remove, 1,000-member group (2 requests)", op_member_add_remove),
    ('member add + remove by `members[value eq "…"]` (2 requests)', op_member_remove_filter),
    ("GET 1,000-member group", op_group),
    ("GET that group, `excludedAttributes=members`", op_group_no_members),
]

# The operations whose ratios the geometric mean summarises: one per kind of request an
# identity provider makes (the member-filter form and the full big group are left out:
# the first repeats the member PATCH, the second is mostly serialising 1,000 members).
SUMMARISED = {
    op_lookup,
    op_get,
    op_page,
    op_filtered,
    op_create_delete,
    op_patch_active,
    op_member_add_remove,
    op_group_no_members,
}


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    unsupported: str = ""
    note: str = ""


def connect(name: str, label: str, url: str, token: str) -> Server:
    client = httpx.Client(
        base_url=url.rstrip("/"),
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/scim+json",
            "Content-Type": "application/scim+json",
        },
        timeout=60,
    )
    server = Server(name, label, client)
    _, response = server.call(
        "GET",
        "/Groups",
        {200},
        params={"filter": 'displayName eq "big-group"', "excludedAttributes": "members"},
    )
    server.group_id = response.json()["Resources"][0]["id"]
    return server


def run_round(
    servers: list[Server],
    params: Params,
    args: argparse.Namespace,
    results: dict[tuple[str, str], Result],
    record: bool,
) -> None:
    shift = params.round % len(servers)
    order = servers[shift:] + servers[:shift]
    for op_name, op in OPERATIONS:
        for server in order:
            result = results[(op_name, server.name)]
            if result.unsupported:
                continue
            try:
                ms, note = op(server, params, args)
            except Unsupported as refusal:
                if server.name != "peer":
                    raise Failure(f"{server.name} refused {op_name}: {refusal}") from refusal
                result.unsupported = str(refusal)
                continue
            if note:
                result.note = note
            if record:
                result.times.append(ms)


def params_for(round_no: int, rng: random.Random, args: argparse.Namespace) -> Params:
    return Params(
        round=round_no,
        user=rng.randrange(args.users),
        other_user=rng.randrange(args.big, args.users),
        start=rng.randrange(1, args.users - 100),
        family=rng.randrange(50),
    )


def fmt(ms: float) -> str:
    return f"{ms:,.1f}"


def geometric_mean(ratios: list[float]) -> float:
    return math.exp(sum(math.log(r) for r in ratios) / len(ratios))


def peer_cell(peer: Result, ours_ms: float, footnotes: list[str]) -> tuple[str, str, float]:
    """The peer's cell and ratio; the ratio to summarise (0 when the peer did other work)."""
    if peer.unsupported:
        footnotes.append(f"peer: {peer.unsupported}")
        return f"unsupported [{len(footnotes)}]", "–", 0.0
    peer_ms = statistics.median(peer.times)
    cell, ratio = fmt(peer_ms), f"{peer_ms / ours_ms:.1f}×"
    if peer.note:
        footnotes.append(f"peer: {peer.note}; the ratio compares different work")
        return f"{cell} [{len(footnotes)}]", ratio, 0.0
    return cell, ratio, peer_ms / ours_ms


def table(
    servers: list[Server], results: dict[tuple[str, str], Result], args: argparse.Namespace
) -> str:
    """Median ms per operation and server, the ratios peer / ours (above 1: this app is
    faster) and ours / baseline (what this app costs over the least Django can do), and
    their geometric means over the SUMMARISED operations."""
    labels = {server.name: server.label for server in servers}
    names = [name for name in ("ours", "peer", "baseline") if name in labels]
    heads = [f"{labels[name]} (ms)" for name in names] + ["peer / ours"]
    heads += ["ours / baseline"] if "baseline" in labels else []
    lines = [
        f"Measured {datetime.date.today().isoformat()} on `{args.machine}`, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {args.engine}; site: {args.site}; each server "
        f"under gunicorn with {args.workers} sync worker{'s' if args.workers > 1 else ''} on "
        f"127.0.0.1; {args.users:,} users, one group of {args.big:,} members; "
        f"median of {args.rounds} interleaved rounds after {args.warmup} warm-up rounds.",
        "",
        "| operation | " + " | ".join(heads) + " |",
        "| --- |" + " ---: |" * len(heads),
    ]
    footnotes: list[str] = []
    means: dict[str, list[float]] = {"peer": [], "baseline": []}
    peer_partial = False
    for op_name, op in OPERATIONS:
        ours_ms = statistics.median(results[(op_name, "ours")].times)
        cell, ratio, summarised = peer_cell(results[(op_name, "peer")], ours_ms, footnotes)
        cells, ratios = [fmt(ours_ms), cell], [ratio]
        if "baseline" in labels:
            base_ms = statistics.median(results[(op_name, "baseline")].times)
            cells.append(fmt(base_ms))
            ratios.append(f"{ours_ms / base_ms:.1f}×")
        if op in SUMMARISED:
            peer_partial |= not summarised
            means["peer"] += [summarised] if summarised else []
            means["baseline"] += [ours_ms / base_ms] if "baseline" in labels else []
        lines.append(f"| {op_name} | " + " | ".join(cells + ratios) + " |")
    summary = [f"**{geometric_mean(means['peer']):.2f}×**" if means["peer"] else "–"]
    if means["peer"] and peer_partial:
        footnotes.append("peer: the geometric mean leaves out the operations it did not do")
        summary[0] += f" [{len(footnotes)}]"
    if "baseline" in labels:
        summary.append(f"**{geometric_mean(means['baseline']):.2f}×**")
    label = (
        "**geometric mean** (lookup, GET, list page, filtered list, create + delete, PATCH, "
        "member add + remove, group without members)"
    )
    lines.append("| " + " | ".join([label] + [""] * len(names) + summary) + " |")
    lines.append("")
    lines += [f"[{number}] {text}" for number, text in enumerate(footnotes, 1)]
    return "\n".join(lines)


def verify_end_state(servers: list[Server], args: argparse.Namespace) -> None:
    """The workload must leave the big group as it found it on every server."""
    for server in servers:
        _, response = server.call("GET", f"/Groups/{server.group_id}", {200})
        count = len(response.json().get("members", []))
        if count != args.big:
            raise Failure(f"{server.name}: big group ends with {count} members, not {args.big}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ours", required=True, help="base URL, e.g. http://127.0.0.1:8001/scim/v2"
    )
    parser.add_argument("--ours-token", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--peer-token", required=True)
    parser.add_argument("--baseline", help="base URL of bench/baseline/'s site (optional)")
    parser.add_argument("--baseline-token")
    parser.add_argument("--ours-label", default="django_scim")
    parser.add_argument("--peer-label", default="django-scim2")
    parser.add_argument("--baseline-label", default="baseline")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--users", type=int, default=5000, help="as seeded")
    parser.add_argument("--big", type=int, default=1000, help="members of big-group, as seeded")
    parser.add_argument("--engine", default="SQLite", help="for the table header")
    parser.add_argument("--site", default="tuned", help="for the table header")
    parser.add_argument("--workers", type=int, default=1, help="for the table header")
    parser.add_argument("--machine", default=" ".join(platform.uname()[i] for i in (0, 2, 4)))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    servers = [
        connect("ours", args.ours_label, args.ours, args.ours_token),
        connect("peer", args.peer_label, args.peer, args.peer_token),
    ]
    if args.baseline:
        if not args.baseline_token:
            parser.error("--baseline needs --baseline-token")
        servers.append(connect("baseline", args.baseline_label, args.baseline, args.baseline_token))
    results = {(op_name, s.name): Result() for op_name, _ in OPERATIONS for s in servers}
    rng = random.Random(args.seed)
    started = time.perf_counter()
    try:
        for round_no in range(args.warmup + args.rounds):
            run_round(
                servers, params_for(round_no, rng, args), args, results, round_no >= args.warmup
            )
        verify_end_state(servers, args)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    checked = sum(s.requests for s in servers)
    print(table(servers, results, args))
    print(
        f"\n{checked:,} responses checked, all with the expected status; "
        f"{time.perf_counter() - started:.0f} s.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
