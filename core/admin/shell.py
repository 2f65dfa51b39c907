"""Admin: shell (being built)."""
