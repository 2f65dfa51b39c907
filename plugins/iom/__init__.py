"""Integrated Offender Management programme plugin for Wraparound."""
