"""The rubric language: models, loading with `extends`, checks, and the built-in library."""
