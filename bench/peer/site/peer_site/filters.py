"""Group filter map for the peer.

Kept apart from adapters.py: the peer imports the filter class while its own
adapters module is still loading, so the two cannot live in one module.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from django_scim.filters import FilterQuery


class GroupNameFilter(FilterQuery):
    """The peer's stock group filter maps no attribute; displayName is auth.Group.name."""

    model_getter = staticmethod(lambda: Group)
    attr_map = {("displayName", None, None): "name"}

    @classmethod
    def table_name(cls):
        return Group._meta.db_table
