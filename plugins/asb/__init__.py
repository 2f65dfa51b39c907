"""Anti-Social Behaviour programme plugin for Wraparound."""
