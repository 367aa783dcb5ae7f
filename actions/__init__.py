"""Custom Rasa actions (rasa-sdk): thin adapters over ``knowledge`` and ``rules``."""
