"""Feature selectors: VarianceThreshold, SelectKBest, SelectFromModel and the other SelectorMixin estimators."""

from __future__ import annotations

__all__: list[str] = []
