"""scikit-learn boosting: GradientBoosting, HistGradientBoosting, AdaBoost."""

from __future__ import annotations

__all__: list[str] = []
