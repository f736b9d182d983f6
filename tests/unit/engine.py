"""What the engine unit tests share: the stock resource types and a PATCH driver.

The resource types are built from their schemas alone (RFC 7643 §4.1-4.3), so
these tests need neither the adapters nor the database.
"""

from __future__ import annotations

import copy
from typing import Any

from django_scim.patch import DocumentPatch, expand, parse_request
from django_scim.schemas.core import GROUP, USER
from django_scim.schemas.enterprise import ENTERPRISE_USER
from django_scim.schemas.registry import ResourceType

# No adapter: the engines read schemas only.
USER_TYPE = ResourceType("User", "/Users", "User Account", USER, (ENTERPRISE_USER,), None)  # type: ignore[arg-type]
GROUP_TYPE = ResourceType("Group", "/Groups", "Group", GROUP, (), None)  # type: ignore[arg-type]


def patch_document(
    body: dict[str, Any],
    document: dict[str, Any],
    resource_type: ResourceType = USER_TYPE,
    lenient: bool = False,
) -> dict[str, Any]:
    """``document`` after the PatchOp ``body``, as the adapter applies it to non-relations.

    Read-only targets named inside a path-less value are skipped, as the adapter does.
    The argument is left unchanged.
    """
    document = copy.deepcopy(document)
    editor = DocumentPatch(resource_type, document, lenient)
    for operation in parse_request(body, resource_type):
        for step, implicit in expand(operation, resource_type):
            assert step.path is not None
            if implicit and step.path.target.read_only:
                continue
            editor.apply(step)
    return document
