"""Issues on samples, with optional anchors (rows 30-33)."""
