"""Sample thumbnails for the web app's grid: generated once per image, cached in the object store."""
