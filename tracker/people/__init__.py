"""Individuals: the people a case is about."""
