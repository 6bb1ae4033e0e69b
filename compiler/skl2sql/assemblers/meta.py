"""Meta-estimators over any supported predictor: OneVsRestClassifier, TransformedTargetRegressor, Voting and Stacking."""

from __future__ import annotations

__all__: list[str] = []
