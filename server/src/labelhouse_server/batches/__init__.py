"""Labelbox batches: data rows sent to a project for labeling, task-queue moves, send-to-annotate."""
