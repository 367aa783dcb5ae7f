"""Command line ``teletravail``: the same functions as the API, for référents and scripts."""
