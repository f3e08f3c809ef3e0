"""The period report derived from operational data, its exports and charts."""
