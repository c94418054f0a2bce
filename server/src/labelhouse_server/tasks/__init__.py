"""Labelbox tasks: the rows the SDK polls for long operations (data-row upserts, batches, exports ...)."""
