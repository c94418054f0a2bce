"""Workunits: who did what to which sample, and when (row 38). Recorded by label writes in their transaction."""
