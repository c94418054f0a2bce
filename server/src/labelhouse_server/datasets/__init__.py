"""Datasets, collaborators and labelsets."""
