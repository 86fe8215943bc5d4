"""Configuration, database access and security primitives of the web app."""
