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
