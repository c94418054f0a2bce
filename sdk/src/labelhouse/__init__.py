"""labelhouse SDK."""
