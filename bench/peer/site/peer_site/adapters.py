"""Adapters that let the peer serve the stock auth.User and auth.Group tables.

The peer's own adapters read ``scim_id``, ``scim_external_id`` and
``scim_groups``, which exist only on models built from its abstract mixins.
Here the SCIM id is the primary key, externalId is not stored, and a user's
groups come from ``User.groups``.
"""

from __future__ import annotations

from django_scim.adapters import SCIMGroup, SCIMUser


def base_location(request=None, *args, **kwargs):
    """Locations from the address the request came to (the server's port varies)."""
    if request is None:
        return "http://127.0.0.1"
    return f"{request.scheme}://{request.get_host()}"


class AuthUserAdapter(SCIMUser):
    id_field = "id"

    @property
    def groups(self):
        adapter = AuthGroupAdapter
        result = []
        for group in self.obj.groups.all():
            wrapped = adapter(group, self.request)
            result.append({"value": wrapped.id, "$ref": wrapped.location, "display": group.name})
        return result

    def to_dict(self):
        data = super().to_dict()
        data.pop("externalId", None)
        return data

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        # from_dict() writes these; auth.User has no columns for them.
        obj.scim_external_id = ""


class AuthGroupAdapter(SCIMGroup):
    id_field = "id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        obj.scim_external_id = ""

    def to_dict(self):
        data = super().to_dict()
        data.pop("externalId", None)
        return data
