"""Scalers: affine maps per feature, written with the same operations, in the same order, as sklearn.

sklearn computes ``(X - mean_) / scale_`` (subtract, then divide) for StandardScaler and
RobustScaler, ``X * scale_ + min_`` for MinMaxScaler and ``X / scale_`` for MaxAbsScaler. Writing
the same operations, rather than folding them into one multiply-add, keeps results bit-for-bit
close to NumPy's. Every scaler lets NaN through in sklearn (NaN in, NaN out), which is exactly SQL's
NULL propagation through arithmetic, so no guards are needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from ...ir import Expr, add, clip, div, lit, mul, sub, total
from ..context import Context
from ..interface import Feature
from ..registry import register, register_inverse
from ..shared.inverse_transforms import single_target

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


# -- inverse_transform of one column (a TransformedTargetRegressor's target) --------------------


@register_inverse(StandardScaler)
def standard_scaler_inverse(tr: StandardScaler, ctx: Context) -> Callable[[Expr], Expr]:
    """``X *= scale_; X += mean_``."""
    s = single_target(tr.scale_) if tr.with_std and tr.scale_ is not None else 1.0
    m = single_target(tr.mean_) if tr.with_mean and tr.mean_ is not None else 0.0
    return lambda x: total([mul(x, lit(s)), lit(m)])


@register_inverse(MinMaxScaler)
def minmax_scaler_inverse(tr: MinMaxScaler, ctx: Context) -> Callable[[Expr], Expr]:
    """``X -= min_; X /= scale_``."""
    lo, sc = single_target(tr.min_), single_target(tr.scale_)
    return lambda x: div(sub(x, lit(lo)), lit(sc))


@register_inverse(MaxAbsScaler)
def maxabs_scaler_inverse(tr: MaxAbsScaler, ctx: Context) -> Callable[[Expr], Expr]:
    """``X *= scale_``."""
    ma = single_target(tr.scale_)
    return lambda x: mul(x, lit(ma))


@register_inverse(RobustScaler)
def robust_scaler_inverse(tr: RobustScaler, ctx: Context) -> Callable[[Expr], Expr]:
    """``X *= scale_; X += center_``."""
    rs = single_target(tr.scale_) if tr.with_scaling else 1.0
    rc = single_target(tr.center_) if tr.with_centering else 0.0
    return lambda x: total([mul(x, lit(rs)), lit(rc)])
