"""The browser app, served by the same process under ``/app/`` (sources in the repository's ``web/``)."""
