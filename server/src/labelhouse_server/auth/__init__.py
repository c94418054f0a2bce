"""API keys and the request's caller."""
