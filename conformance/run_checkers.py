"""Run two independent SCIM conformance checkers against a live server.

The checkers are scim2-tester (a library from the python-scim project) and
scim-sanity (a command-line prober). Each result gets a stable name, each checker
gets passed / failed / skipped counts, and the run is compared with
``conformance/expected.json``:

* a check listed in ``expected_pass`` that fails, is skipped or is missing is a
  regression;
* a failing check that is in neither ``expected_pass`` nor ``known_failures``
  is a regression too (a new check must be looked at before it is accepted);
* a checker that produced no result at all is an error: a check that cannot fail
  proves nothing;
* every entry of ``known_failures`` must say why the check cannot pass.

``--update`` rewrites the expectations from the current run and keeps the
reasons already written. A newly failing check gets a placeholder reason that
makes the next comparison fail until someone replaces it with a real one.

This script runs in its own virtualenv (``.venv-conformance``, made by
``scripts/conformance``), where the project's JSON codec is not installed,
hence the standard library ``json`` module.

Exit status: 0 when the run matches the expectations, 1 on a regression,
2 when a checker could not run or produced nothing.
"""

from __future__ import annotations

import argparse
import json  # noqa: TID251 - runs outside the project's virtualenv, see the module docstring
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCIM2_TESTER = "scim2-tester"
SCIM_SANITY = "scim-sanity"
CHECKERS = (SCIM2_TESTER, SCIM_SANITY)

PASS, FAIL, SKIP = "pass", "fail", "skip"

# scim2-tester statuses, counted as the research notes count them.
TESTER_OUTCOMES = {
    "SUCCESS": PASS,
    "COMPLIANT": PASS,
    "ACCEPTABLE": PASS,
    "DEVIATION": FAIL,
    "ERROR": FAIL,
    "CRITICAL": FAIL,
    "SKIPPED": SKIP,
}
# scim-sanity statuses. In --strict mode a "warn" is a real finding.
SANITY_OUTCOMES = {"pass": PASS, "fail": FAIL, "error": FAIL, "warn": FAIL, "skip": SKIP}

PLACEHOLDER = "UNEXPLAINED:"
SANITY_TIMEOUT = 180
DETAIL_LIMIT = 700

# Parts of a scim2-tester reason that tell apart the results of one check function.
_DISCRIMINATORS = (
    re.compile(r"^(POST|PUT|PATCH|DELETE) /[A-Za-z]"),
    re.compile(r"ResourceType '([^']+)'"),
    re.compile(r"/ResourceTypes/([^\s/]+?)\.? endpoint"),
    re.compile(r"schema:? (urn:[^\s:]+(?::[^\s:]+)*)"),
)


@dataclass
class Outcome:
    """One result of one checker, under a name that is stable from run to run."""

    name: str
    outcome: str
    status: str
    detail: str = ""


@dataclass
class CheckerRun:
    checker: str
    version: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


# --------------------------------------------------------------------------- naming


def unique_names(raw: Iterable[str]) -> list[str]:
    """Suffix ``#1``, ``#2``… to the names that occur more than once, in run order."""
    items = list(raw)
    totals: dict[str, int] = {}
    for name in items:
        totals[name] = totals.get(name, 0) + 1
    seen: dict[str, int] = {}
    names = []
    for name in items:
        if totals[name] == 1:
            names.append(name)
            continue
        seen[name] = seen.get(name, 0) + 1
        names.append(f"{name} #{seen[name]}")
    return names


def tester_base_name(result: Any) -> str:
    """``[ResourceType/]check_function [discriminator]`` for one scim2-tester result.

    The PATCH checks give one result per attribute path (``data["urn"]``); the
    discovery checks give one per method, resource type or schema, named in
    the reason.
    """
    name = result.title or "untitled"
    if result.resource_type:
        name = f"{result.resource_type}/{name}"
    data = result.data
    if isinstance(data, dict) and data.get("urn"):
        return f"{name} [{data['urn']}]"
    reason = result.reason or ""
    for pattern in _DISCRIMINATORS:
        match = pattern.search(reason)
        if match:
            return f"{name} [{match.group(1)}]"
    return name


def tester_detail(result: Any, failed: bool) -> str:
    """The reason, plus the server's answer when the result carries it."""
    detail = (result.reason or "").strip()
    if not failed:
        return detail
    data = result.data
    source = getattr(data.get("error"), "source", None) if isinstance(data, dict) else None
    if getattr(source, "status_code", None) is not None:
        detail += f"\n(server answered HTTP {source.status_code}: {source.text})"
    elif isinstance(data, str) or (isinstance(data, dict) and "urn" not in data):
        # An exception caught by scim2-tester carries the server's payload as data.
        detail += f"\n(server payload: {data})"
    return detail


# --------------------------------------------------------------------------- scim2-tester


class Transcript:
    """Every HTTP exchange of scim2-tester, one JSON object a line, for debugging."""

    def __init__(self, path: Path | None) -> None:
        self.handle = path.open("w", encoding="utf-8") if path else None

    def hook(self, response: Any) -> None:
        if self.handle is None:
            return
        response.read()
        request = response.request
        entry = {
            "method": request.method,
            "url": str(request.url),
            "request": request.content.decode("utf-8", "replace"),
            "status": response.status_code,
            "seconds": round(response.elapsed.total_seconds(), 3),
            "response": response.text,
        }
        self.handle.write(json.dumps(entry) + "\n")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def run_scim2_tester(url: str, token: str, transcript_path: Path | None) -> CheckerRun:
    """Call ``check_server`` with no filter: every check the library wires in.

    The client is scim2-client's default, strict one: it checks status codes
    and the Content-Type, and validates every payload against scim2-models.
    """
    from importlib.metadata import version

    import httpx2
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import check_server

    run = CheckerRun(SCIM2_TESTER, version("scim2-tester"))
    transcript = Transcript(transcript_path)
    http = httpx2.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        event_hooks={"response": [transcript.hook]},
    )
    started = time.monotonic()
    try:
        results = check_server(SyncSCIMClient(http))
    except Exception as exc:  # the checker crashed: report it, do not hide it
        run.error = f"check_server raised {type(exc).__name__}: {exc}"
        results = []
    finally:
        http.close()
        transcript.close()
    run.seconds = time.monotonic() - started
    names = unique_names(tester_base_name(r) for r in results)
    for name, result in zip(names, results, strict=True):
        status = result.status.name
        outcome = TESTER_OUTCOMES.get(status, FAIL)
        run.outcomes.append(Outcome(name, outcome, status, tester_detail(result, outcome == FAIL)))
    return run


# --------------------------------------------------------------------------- scim-sanity


def sanity_command(url: str, token: str) -> list[str]:
    """The probe in its strict (default) mode, on every resource type the server publishes."""
    executable = Path(sys.executable).with_name("scim-sanity")
    return [
        str(executable),
        "probe",
        url,
        "--token",
        token,
        "--i-accept-side-effects",
        "--json-output",
        "--strict",
    ]


def run_scim_sanity(url: str, token: str) -> CheckerRun:
    from importlib.metadata import version

    run = CheckerRun(SCIM_SANITY, version("scim-sanity"))
    started = time.monotonic()
    try:
        proc = subprocess.run(
            sanity_command(url, token),
            capture_output=True,
            text=True,
            timeout=SANITY_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        run.error = f"could not run scim-sanity: {exc}"
        return run
    finally:
        run.seconds = time.monotonic() - started
    try:
        results = json.loads(proc.stdout)["results"]
    except (ValueError, KeyError, TypeError):
        run.error = (
            f"scim-sanity exited with {proc.returncode} without a JSON report.\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
        )
        return run
    names = unique_names(r.get("name", "untitled") for r in results)
    for name, result in zip(names, results, strict=True):
        status = result.get("status", "?")
        outcome = SANITY_OUTCOMES.get(status, FAIL)
        run.outcomes.append(Outcome(name, outcome, status, result.get("message", "")))
    return run


# --------------------------------------------------------------------------- comparison


@dataclass
class Verdict:
    regressions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare(run: CheckerRun, expected: dict[str, Any]) -> Verdict:
    """Compare one checker's run with its section of expected.json."""
    verdict = Verdict()
    if expected.get("version") and expected["version"] != run.version:
        verdict.notes.append(f"expectations were written for version {expected['version']}")
    if run.error or not run.outcomes:
        verdict.regressions.append(run.error or "the checker produced no results")
        return verdict
    must_pass = set(expected.get("expected_pass", []))
    known = expected.get("known_failures", {})
    skips = expected.get("known_skips", {})
    by_name = {o.name: o for o in run.outcomes}
    for name in sorted(must_pass - by_name.keys()):
        verdict.regressions.append(f"expected to pass, but not run: {name}")
    for outcome in run.outcomes:
        _judge(outcome, must_pass, known, skips, verdict)
    for name, reason in sorted(known.items()):
        if not isinstance(reason, str) or not reason.strip() or reason.startswith(PLACEHOLDER):
            verdict.regressions.append(f"known failure without a reason: {name}")
    return verdict


def _judge(
    outcome: Outcome,
    must_pass: set[str],
    known: dict[str, str],
    skips: dict[str, str],
    verdict: Verdict,
) -> None:
    name = outcome.name
    if name in must_pass:
        if outcome.outcome != PASS:
            verdict.regressions.append(f"expected to pass, but {outcome.status}: {name}")
    elif outcome.outcome == PASS:
        what = "a known failure now passes" if name in known else "new passing check"
        verdict.notes.append(f"{what} (run with --update to expect it): {name}")
    elif outcome.outcome == FAIL and name not in known:
        verdict.regressions.append(f"new failing check, not in the expectations: {name}")
    elif outcome.outcome == SKIP and name not in skips:
        verdict.notes.append(f"skipped, not in known_skips: {name}")


def updated_expectations(run: CheckerRun, old: dict[str, Any]) -> dict[str, Any]:
    """The section of expected.json that describes this run, keeping the reasons written."""
    old_known = old.get("known_failures", {})
    old_skips = old.get("known_skips", {})
    known = {}
    skips = {}
    for o in run.outcomes:
        if o.outcome == FAIL:
            known[o.name] = old_known.get(o.name) or f"{PLACEHOLDER} {o.status}: {o.detail}"[:500]
        elif o.outcome == SKIP:
            skips[o.name] = old_skips.get(o.name) or o.detail or o.status
    return {
        "version": run.version,
        "expected_pass": sorted(o.name for o in run.outcomes if o.outcome == PASS),
        "known_failures": dict(sorted(known.items())),
        "known_skips": dict(sorted(skips.items())),
    }


# --------------------------------------------------------------------------- report


def indent(text: str, prefix: str = "        ") -> str:
    text = text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT] + " …"
    return "\n".join(prefix + line for line in text.splitlines())


def report(run: CheckerRun, expected: dict[str, Any], verdict: Verdict) -> None:
    print(f"\n=== {run.checker} {run.version} ({run.seconds:.1f} s) ===")
    print(
        f"{run.checker}: {run.count(PASS)} passed, {run.count(FAIL)} failed, "
        f"{run.count(SKIP)} skipped ({len(run.outcomes)} results)"
    )
    known = expected.get("known_failures", {})
    failed = [o for o in run.outcomes if o.outcome == FAIL]
    if failed:
        print("failed checks:")
    for o in failed:
        label = "known failure" if o.name in known else "UNEXPECTED"
        print(f"  - {o.name}  [{o.status}, {label}]")
        if o.detail:
            print(indent(o.detail))
        if o.name in known:
            print(indent(f"why: {known[o.name]}"))
    for note in verdict.notes:
        print(f"  note: {note}")
    for regression in verdict.regressions:
        print(f"  REGRESSION: {regression}")
    print(f"{run.checker}: {'FAILED' if verdict.regressions else 'as expected'}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", required=True, help="SCIM base URL, e.g. http://127.0.0.1:8000/scim/v2"
    )
    parser.add_argument(
        "--token-env",
        default="SCIM_CONFORMANCE_TOKEN",
        help="environment variable holding the bearer token (default: %(default)s)",
    )
    parser.add_argument(
        "--expected",
        type=Path,
        default=Path(__file__).with_name("expected.json"),
        help="expectations file (default: conformance/expected.json)",
    )
    parser.add_argument("--update", action="store_true", help="rewrite the expectations file")
    parser.add_argument(
        "--checker", choices=CHECKERS, action="append", help="run only this checker"
    )
    parser.add_argument(
        "--transcript", type=Path, help="write scim2-tester's HTTP exchanges here (JSON lines)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    token = os.environ.get(args.token_env, "")
    if not token:
        print(f"error: ${args.token_env} is empty", file=sys.stderr)
        return 2
    expected = json.loads(args.expected.read_text()) if args.expected.exists() else {}
    runners: dict[str, Callable[[], CheckerRun]] = {
        SCIM2_TESTER: lambda: run_scim2_tester(args.url, token, args.transcript),
        SCIM_SANITY: lambda: run_scim_sanity(args.url, token),
    }
    runs = [runners[name]() for name in (args.checker or CHECKERS)]
    verdicts = {run.checker: compare(run, expected.get(run.checker, {})) for run in runs}
    for run in runs:
        report(run, expected.get(run.checker, {}), verdicts[run.checker])
    broken = [run.checker for run in runs if run.error or not run.outcomes]
    if args.update:
        return write_update(args.expected, expected, runs, broken)
    return summary(verdicts, broken)


def write_update(
    path: Path, expected: dict[str, Any], runs: list[CheckerRun], broken: list[str]
) -> int:
    if broken:
        print(f"\nnot updating {path}: no results from {', '.join(broken)}")
        return 2
    for run in runs:
        expected[run.checker] = updated_expectations(run, expected.get(run.checker, {}))
    path.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {path}; write a reason for every known failure marked {PLACEHOLDER!r}")
    return 0


def summary(verdicts: dict[str, Verdict], broken: list[str]) -> int:
    print()
    if broken:
        print(f"conformance: FAILED - no results from {', '.join(broken)}")
        return 2
    failing = [name for name, verdict in verdicts.items() if verdict.regressions]
    if failing:
        print(f"conformance: FAILED - regressions in {', '.join(failing)}")
        return 1
    print("conformance: every check expected to pass passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
