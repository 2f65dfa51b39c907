"""Troubled Families programme plugin for Wraparound."""
