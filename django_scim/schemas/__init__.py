"""Schema definitions: the single source of truth for validation, projection and discovery."""
