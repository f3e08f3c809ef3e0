"""Consents (samtycken), blocks (spärrar), emergency access and THE access policy."""
