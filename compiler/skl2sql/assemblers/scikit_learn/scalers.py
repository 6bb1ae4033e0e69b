"""Scalers: affine maps per feature, written with the same operations, in the same order, as sklearn.

sklearn computes ``(X - mean_) / scale_`` (subtract, then divide) for StandardScaler and
RobustScaler, ``X * scale_ + min_`` for MinMaxScaler and ``X / scale_`` for MaxAbsScaler. Writing
the same operations, rather than folding them into one multiply-add, keeps results bit-for-bit
close to NumPy's. Every scaler lets NaN through in sklearn (NaN in, NaN out), which is exactly SQL's
NULL propagation through arithmetic, so no guards are needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from ...ir import add, clip, div, lit, mul, sub
from ..context import Context
from ..interface import Feature
from ..registry import register

__all__ = [
    "assemble_standard_scaler",
    "assemble_minmax_scaler",
    "assemble_maxabs_scaler",
    "assemble_robust_scaler",
]


def _center_scale(
    features: list[Feature], ctx: Context, center: Any, scale: Any
) -> list[Feature]:
    """``(x - center) / scale`` per feature; ``None`` skips a step (as sklearn does)."""
    out = []
    for j, f in enumerate(features):
        x = ctx.number(f.expr)
        if center is not None:
            x = sub(x, lit(float(center[j])))
        if scale is not None:
            x = div(x, lit(float(scale[j])))
        out.append(Feature(x, f.name))
    return out


@register(StandardScaler)
def assemble_standard_scaler(est: StandardScaler, features: list[Feature], ctx: Context) -> list[Feature]:
    center = est.mean_ if est.with_mean and est.mean_ is not None else None
    scale = est.scale_ if est.with_std and est.scale_ is not None else None
    return _center_scale(features, ctx, center, scale)


@register(RobustScaler)
def assemble_robust_scaler(est: RobustScaler, features: list[Feature], ctx: Context) -> list[Feature]:
    center = est.center_ if est.with_centering else None
    scale = est.scale_ if est.with_scaling else None
    return _center_scale(features, ctx, center, scale)


@register(MinMaxScaler)
def assemble_minmax_scaler(est: MinMaxScaler, features: list[Feature], ctx: Context) -> list[Feature]:
    """``x * scale_ + min_``, then ``np.clip`` to ``feature_range`` when ``clip=True``."""
    low, high = (float(v) for v in est.feature_range)
    out = []
    for j, f in enumerate(features):
        x = ctx.number(f.expr)
        y = add(mul(x, lit(float(est.scale_[j]))), lit(float(est.min_[j])))
        if est.clip:
            y = clip(ctx.materialize([y], "mm")[0], low, high)
        out.append(Feature(y, f.name))
    return out


@register(MaxAbsScaler)
def assemble_maxabs_scaler(est: MaxAbsScaler, features: list[Feature], ctx: Context) -> list[Feature]:
    scale = np.asarray(est.scale_, dtype=np.float64)
    return _center_scale(features, ctx, None, scale)
