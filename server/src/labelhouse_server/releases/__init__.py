"""Releases: immutable snapshots of a dataset, written as a JSON release file (contract §6.2) by a job."""
