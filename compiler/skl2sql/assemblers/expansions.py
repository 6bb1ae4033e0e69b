"""Feature expansions: PolynomialFeatures, SplineTransformer, KBinsDiscretizer."""

from __future__ import annotations

__all__: list[str] = []
