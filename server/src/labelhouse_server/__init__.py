"""labelhouse server."""
