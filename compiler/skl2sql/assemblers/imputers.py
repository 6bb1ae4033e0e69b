"""Imputers and missing indicators: SimpleImputer, MissingIndicator."""

from __future__ import annotations

__all__: list[str] = []
