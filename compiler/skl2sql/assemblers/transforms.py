"""Element-wise transforms: Normalizer, Binarizer, PowerTransformer, QuantileTransformer, FunctionTransformer."""

from __future__ import annotations

__all__: list[str] = []
