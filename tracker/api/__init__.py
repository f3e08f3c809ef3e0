"""The JSON API (v1): the same services and access policy as the pages."""
