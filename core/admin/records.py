"""Admin: records (being built)."""
