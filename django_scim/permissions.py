"""Client scopes: a read-only client may read and search, nothing more."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


class ClientScopePermission(BasePermission):
    message = "This client is not allowed to modify resources."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if request.method in SAFE_METHODS or getattr(view, "read_only_post", False):
            return True
        return bool(getattr(user, "can_write", True))
