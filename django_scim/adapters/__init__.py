"""Adapters map site models onto SCIM resource types."""
