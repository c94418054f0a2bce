"""The Labelbox catalog over our own tables: organizations, data rows (= samples), global keys, metadata."""
