"""Signals a site can connect to; each is sent after the transaction commits.

Every signal is sent with ``sender`` (the adapter class), ``resource_type``
(its name), ``instance`` (the site object), ``scim_id`` and ``client`` (the
SCIMClient that made the request, or None).
"""

from __future__ import annotations

from django.dispatch import Signal

resource_created = Signal()
resource_replaced = Signal()
resource_patched = Signal()
resource_deactivated = Signal()
resource_deleted = Signal()
#: DELETE_MODE "detach": the object left the client's tenant (RFC 7644 §6); it still exists.
resource_detached = Signal()
#: A tenant's client took over an existing object (SCIM["ADOPT_EXISTING_USERS"]).
resource_adopted = Signal()
