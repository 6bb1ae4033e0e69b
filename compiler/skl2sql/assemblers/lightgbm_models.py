"""LightGBM boosters and estimators (registered only when lightgbm is installed)."""

from __future__ import annotations

__all__: list[str] = []
