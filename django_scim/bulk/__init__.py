"""/Bulk (RFC 7644 §3.7): many operations in one request.

``requests`` reads a BulkRequest into operations; ``references`` finds and
replaces ``bulkId:`` references; ``planning`` orders the operations only as
far as their references require and finds circular ones; ``execution`` runs
each through the same :class:`~django_scim.adapters.writer.Writer` as the
resource endpoints, in a savepoint of its own.
"""
