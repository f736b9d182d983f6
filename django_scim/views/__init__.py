"""DRF views serving the SCIM protocol endpoints."""
