"""Account administration over HTTP: the caller's API keys, and user creation by server administrators."""
