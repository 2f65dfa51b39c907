"""Restorative Justice programme plugin for Wraparound."""
