"""Query helpers for the app's own models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models

from django_scim import tokens


class SCIMClientQuerySet(models.QuerySet):
    def authenticate(self, raw: str) -> Any:
        """The active, unexpired client owning ``raw``, or None. One indexed query."""
        if not raw:
            return None
        digest = tokens.digest(raw)
        # The digest is unique: one row at most, no ORDER BY for the model's ordering, and
        # whether it may still be used is read off that row (less to build per request).
        found = self.filter(token_digest=digest).order_by()[:1]
        client = next(iter(found), None)
        if client is None or not client.is_active or client.is_expired:
            return None
        if not tokens.matches(raw, client.token_digest):
            return None
        return client


class ProvisioningLogQuerySet(models.QuerySet):
    def prune(self, before: datetime) -> int:
        """Delete entries older than ``before``; returns how many went."""
        deleted, _ = self.filter(created__lt=before).delete()
        return deleted
