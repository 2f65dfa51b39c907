"""Wraparound core: people, cases, work and access, shared by every programme plugin."""
