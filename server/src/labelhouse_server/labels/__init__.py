"""Labels, one per sample and labelset: get, create-or-replace (PUT), update (PATCH), delete (rows 22-25)."""
