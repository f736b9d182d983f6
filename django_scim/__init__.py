"""A SCIM 2.0 service provider for Django sites."""

__version__ = "0.1.0"
