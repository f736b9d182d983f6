"""Where each SCIM attribute is kept, and how that storage reads, writes, filters and sorts.

Every kind of storage implements :class:`~django_scim.storage.base.Mapping`:
a model column, a primary value taken from a multi-valued attribute, a
many-to-many relation, the side table for everything a model has no column
for, and the common attributes (``id``, ``externalId``, ``meta``). The filter
translator, sorting, PATCH and rendering ask an adapter for the mapping of a
path and call it; none of them knows which kind it is.
"""
