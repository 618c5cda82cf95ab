"""Scoring one case under a policy, with a reason for every point."""
