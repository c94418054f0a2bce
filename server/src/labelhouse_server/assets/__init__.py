"""Assets: files uploaded with the Segments presigned-POST handshake (contract §5)."""
