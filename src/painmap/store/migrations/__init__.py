"""Alembic migrations of the painmap schema (revision ids ``0001``, ``0002``, ...)."""
