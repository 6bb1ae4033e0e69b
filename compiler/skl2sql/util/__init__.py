"""Helpers with no knowledge of models or SQL."""
