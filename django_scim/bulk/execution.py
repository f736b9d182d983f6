"""Running planned operations, each in a savepoint of its own (RFC 7644 §3.7).

The view runs the whole request in one transaction; each operation goes
through :class:`~django_scim.adapters.writer.Writer`, the one write path of the
resource endpoints, whose ``transaction.atomic()`` is, inside it, the
operation's savepoint: an operation that fails leaves nothing behind and the
next one runs. Its status
is the one it would have had alone (201, 200, 204, or the error's), and its
result carries ``location`` and ``version``. After ``failOnErrors`` errors
nothing more runs (§3.7.3).

A circular reference (§3.7.1) runs as one unit: each POST is created without
the values that refer to members of the cycle not created yet, then those
values are added by a PATCH ``add`` once every member exists. Only when that
cannot work (a member fails) do the members fail: the failing one with its own
error, the others with 409.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction

from django_scim import constants, errors
from django_scim.adapters.context import RequestContext
from django_scim.bulk import references
from django_scim.bulk.outcomes import Outcome, failure, success
from django_scim.bulk.planning import Step
from django_scim.bulk.requests import BulkRequest, Operation
from django_scim.bulk.targets import Target, target_of
from django_scim.bulk.versions import current


class _Failed(Exception):
    def __init__(self, op: Operation, error: Exception, target: Target | None = None) -> None:
        self.op, self.error, self.target = op, error, target


class BulkRun:
    """One bulk request's operations, run in planned order."""

    def __init__(self, request: BulkRequest, context: Any, using: str) -> None:
        self.request = request
        #: A fresh RequestContext per operation (nothing read by one is reused by the next).
        self.context = context
        self.using = using
        self.ids: dict[str, str] = {}
        self.failed: set[str] = set()
        self.outcomes: dict[int, Outcome] = {}
        self.errors = 0

    @property
    def stopped(self) -> bool:
        limit = self.request.fail_on_errors
        return limit is not None and self.errors >= limit

    def run(self, steps: list[Step]) -> list[Outcome]:
        """The outcomes of the operations that ran, in the request's order."""
        for step in steps:
            if self.stopped:
                break
            if step.circular:
                self._circular(step.operations)
            else:
                self._single(step.operations[0])
        return [self.outcomes[index] for index in sorted(self.outcomes)]

    def _record(self, outcome: Outcome) -> None:
        self.outcomes[outcome.op.index] = outcome
        if outcome.failed:
            self.errors += 1
            if outcome.op.bulk_id:
                self.failed.add(outcome.op.bulk_id)

    # -- one operation -----------------------------------------------------------

    def _single(self, op: Operation) -> None:
        started = time.perf_counter()
        target = None
        try:
            if op.error is not None:
                raise op.error
            self._check_references(op, waiting=set())
            ctx = self.context()
            target = target_of(ctx, references.replace_in_path(op.path, self.ids), op.method)
            outcome = self._perform(op, ctx, target, references.replace(op.data, self.ids))
        except Exception as exc:  # each operation fails alone, as it would have alone
            outcome = failure(op, exc, target)
        outcome.duration_ms = _since(started)
        self._record(outcome)

    def _check_references(self, op: Operation, waiting: set[str]) -> None:
        """409 for a reference to no POST of this request, or to one that failed
        (RFC 7644 §3.7.2); ``waiting``: members of the same cycle, created later."""
        for ref in sorted(op.references - waiting):
            if ref in self.ids:
                continue
            if ref in self.failed:
                raise errors.Conflict(f"bulkId {ref!r} refers to an operation that failed.")
            raise errors.Conflict(f"bulkId {ref!r} is not defined by any POST of this request.")

    def _perform(self, op: Operation, ctx: RequestContext, target: Target, data: Any) -> Outcome:
        writer = target.writer()
        if op.method == "POST":
            resource = writer.create(data, None)
            if op.bulk_id:
                self.ids[op.bulk_id] = resource["id"]
            return success(op, 201, target, resource, writer.changes)
        assert target.scim_id is not None
        # RFC 7644 §3.7: the operation's version is its If-Match, compared by the writer
        # against the row it has locked.
        if op.method == "PUT":
            resource = writer.replace(target.scim_id, data, None, if_match=op.version)
            return success(op, 200, target, resource, writer.changes)
        if op.method == "PATCH":
            resource = writer.patch(target.scim_id, data, None, if_match=op.version)
            return success(op, target.patch_status(), target, resource, writer.changes)
        writer.delete(target.scim_id, if_match=op.version)
        return success(op, 204, target, None, writer.changes)

    # -- a circular reference --------------------------------------------------------

    def _circular(self, ops: list[Operation]) -> None:
        started = time.perf_counter()
        members = {op.bulk_id for op in ops if op.bulk_id}
        done: list[tuple[Operation, Target, dict[str, Any], list[Any]]] = []
        try:
            with transaction.atomic(using=self.using):
                for op in ops:
                    done.append(self._create_without(op, members))
                outcomes = [self._complete(*item) for item in done]
                for outcome, (_, target, _, _) in zip(outcomes, done, strict=True):
                    # Adding one member may have changed another's version.
                    outcome.version = current(target.adapter, outcome.resource_id)
        except _Failed as failed:
            for op in ops:
                self.ids.pop(op.bulk_id or "", None)
            outcomes = [self._cycle_failure(op, failed) for op in ops]
        spent = _since(started) / len(ops)
        for outcome in outcomes:
            outcome.duration_ms = spent
            self._record(outcome)

    def _create_without(
        self, op: Operation, members: set[str]
    ) -> tuple[Operation, Target, dict[str, Any], list[Any]]:
        """Create ``op``'s resource without the values referring to members not created yet."""
        target = None
        try:
            if op.error is not None:
                raise op.error
            waiting = members - self.ids.keys()
            self._check_references(op, waiting)
            ctx = self.context()
            target = target_of(ctx, op.path, op.method)
            data, later = references.split(op.data, op.references & waiting)
            resource = target.writer().create(references.replace(data, self.ids), None)
        except Exception as exc:
            raise _Failed(op, exc, target) from exc
        assert op.bulk_id is not None
        self.ids[op.bulk_id] = resource["id"]
        return op, target, resource, later

    def _complete(
        self, op: Operation, target: Target, resource: dict[str, Any], later: list[Any]
    ) -> Outcome:
        """Add what the create left out, now that every member exists."""
        if later:
            body = {"schemas": [constants.PATCH_OP], "Operations": later}
            try:
                resource = target.writer().patch(
                    resource["id"], references.replace(body, self.ids), None
                )
            except Exception as exc:
                raise _Failed(op, exc, target) from exc
        return success(op, 201, target, resource, [])

    def _cycle_failure(self, op: Operation, failed: _Failed) -> Outcome:
        if op is failed.op:
            return failure(op, failed.error, None)
        cause = failed.op.bulk_id
        return failure(
            op,
            errors.Conflict(
                f"Circular reference with bulkId {cause!r}, whose operation failed; "
                "nothing of the cycle was kept."
            ),
            None,
        )


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
