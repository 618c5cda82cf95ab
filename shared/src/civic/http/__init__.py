"""HTTP conventions every service follows: problem+json errors, health, metrics, API keys."""
