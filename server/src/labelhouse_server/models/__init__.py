"""Labelbox models, model runs and model configs (``service.py``); served by ``labelbox/resolvers/models.py``."""
