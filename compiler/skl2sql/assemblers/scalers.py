"""Scalers: affine maps per feature, written as ``(x - offset) / scale`` exactly as sklearn does.

sklearn computes ``(X - mean_) / scale_`` (subtract, then divide). Writing the same two operations,
rather than folding them into one multiply-add, keeps results bit-for-bit close to NumPy's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import StandardScaler

from ..ir import div, lit, sub
from ..program import Context, Feature
from .registry import register

__all__ = ["assemble_standard_scaler"]


def _names(est: Any, features: list[Feature]) -> list[str]:
    return [f.name for f in features]


@register(StandardScaler)
def assemble_standard_scaler(est: StandardScaler, features: list[Feature], ctx: Context) -> list[Feature]:
    n = len(features)
    mean = est.mean_ if est.with_mean and est.mean_ is not None else np.zeros(n)
    scale = est.scale_ if est.with_std and est.scale_ is not None else np.ones(n)
    out = []
    for f, m, s in zip(features, mean, scale, strict=True):
        x = ctx.number(f.expr)
        out.append(Feature(div(sub(x, lit(float(m))), lit(float(s))), f.name))
    return out
