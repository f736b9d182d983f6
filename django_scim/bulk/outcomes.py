"""What one operation did: its entry in the BulkResponse (RFC 7644 §3.7.3) and its log row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django_scim import errors

if TYPE_CHECKING:
    from django_scim.bulk.requests import Operation
    from django_scim.bulk.targets import Target

_OPERATION_NAMES = {"POST": "create", "PUT": "replace", "PATCH": "patch", "DELETE": "delete"}


@dataclass
class Outcome:
    op: Operation
    status: int
    location: str | None = None
    version: str | None = None
    #: The SCIM Error body of a failed operation.
    error: dict[str, Any] | None = None
    resource_type: str = ""
    resource_id: str = ""
    changes: list[Any] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status >= 400

    def result(self) -> dict[str, Any]:
        """The BulkResponse entry: ``location`` except for a failed POST, ``version``
        where a resource remains, ``response`` where the operation failed."""
        result: dict[str, Any] = {"method": self.op.method or None}
        if self.op.bulk_id:
            result["bulkId"] = self.op.bulk_id
        if self.location:
            result["location"] = self.location
        if self.version:
            result["version"] = self.version
        result["status"] = str(self.status)
        if self.error is not None:
            result["response"] = self.error
        return result

    def log_fields(self) -> dict[str, Any]:
        """What the provisioning log row of this operation holds."""
        return {
            "method": self.op.method,
            "path": self.op.path,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "operation": _OPERATION_NAMES.get(self.op.method, ""),
            "status": self.status,
            "scim_type": (self.error or {}).get("scimType", ""),
            "duration_ms": self.duration_ms,
            "request": self.op.data,
            "response": self.result(),
            "changes": self.changes,
        }


def success(
    op: Operation,
    status: int,
    target: Target,
    resource: dict[str, Any] | None,
    changes: list[Any],
) -> Outcome:
    meta = resource["meta"] if resource else {}
    return Outcome(
        op,
        status,
        location=meta.get("location") or target.location(),
        version=meta.get("version"),
        resource_type=target.resource_type.name,
        resource_id=str(resource["id"] if resource else target.scim_id or ""),
        changes=list(changes),
    )


def failure(op: Operation, exc: Exception, target: Target | None) -> Outcome:
    status, body = errors.describe(exc)
    return Outcome(
        op,
        status,
        # RFC 7644 §3.7.3: a failed POST has no location; the others name their resource.
        location=target.location() if target is not None else None,
        error=body,
        resource_type=target.resource_type.name if target is not None else "",
        resource_id=(target.scim_id or "") if target is not None else "",
    )
