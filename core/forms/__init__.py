"""Forms of the core screens (see each module)."""
