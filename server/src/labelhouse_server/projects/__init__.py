"""Labelbox projects: settings, ontology and editor, members, task queues (batches: ``batches/``)."""
