"""Labelbox annotation imports and project labels (list, count, delete, feedback)."""
