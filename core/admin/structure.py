"""Admin: structure (being built)."""
