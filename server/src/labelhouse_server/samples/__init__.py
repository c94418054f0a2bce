"""Samples: add (one or in bulk), get, list with filters and sorting, update, delete (Segments API rows 15-21)."""
