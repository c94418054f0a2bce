"""Users, organizations and their members."""
