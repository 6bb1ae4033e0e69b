"""Categorical encoders: OneHotEncoder, OrdinalEncoder, TargetEncoder."""

from __future__ import annotations

__all__: list[str] = []
