"""Shared building blocks: column types, mixins, time helpers, validation."""
