"""XGBoost boosters and estimators (registered only when xgboost is installed)."""

from __future__ import annotations

__all__: list[str] = []
