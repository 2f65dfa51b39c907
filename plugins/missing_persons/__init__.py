"""Missing Persons programme plugin for Wraparound."""
