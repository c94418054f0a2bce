"""Labelbox ontologies and feature schemas (the organization's reusable label definitions)."""
