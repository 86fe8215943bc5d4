"""CLI commands, one module per area; each module exposes ``register(app)``."""
