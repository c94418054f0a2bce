"""Labelbox export v2 (contract §2.11, §3.4): an export is an ``lb_tasks`` row finished by a background job that
streams the selected data rows from the database into NDJSON chunk objects in the object store (constant
memory), served to the SDK by byte offset (§0 trap 9)."""
