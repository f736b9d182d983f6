"""A SCIM 2.0 service provider for Django sites."""

from __future__ import annotations

__version__ = "0.1.0"
