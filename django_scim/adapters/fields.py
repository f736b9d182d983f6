"""Field mappings a site declares on its adapter: where each SCIM attribute is kept.

``fields = {"scim path": Mapping(...)}``; every SCIM attribute not declared is
kept in the side table, so each attribute of the schema round-trips whether
or not the model has a column for it. The classes live in
:mod:`django_scim.storage`; this module is where sites import them from.
"""

from __future__ import annotations

from django_scim.storage.base import Mapping, Owner
from django_scim.storage.columns import Column, Password, PrimaryValue, check_length
from django_scim.storage.relations import ManyToMany

__all__ = ["Column", "ManyToMany", "Mapping", "Owner", "Password", "PrimaryValue", "check_length"]
