"""Linear projections: PCA, IncrementalPCA and TruncatedSVD.

sklearn's ``transform`` is ``X @ components_.T`` and, for PCA, minus ``mean_ @ components_.T``
(the centering applied after the projection), then divided by ``sqrt(explained_variance_)``
(floored at machine epsilon) when ``whiten``. The SQL writes the same steps: one sum of products
per component, the centering term as a constant computed by NumPy as sklearn computes it, then the
whitening division. The dot products are summed left to right where NumPy's BLAS may block them
differently, so a component agrees within a few ulps of ``sum(|x_j * c_kj|)``, not bit for bit
(see the tolerance in ``test_parity_preprocessing.py``).

A NULL input gives NULL components (sklearn refuses NaN), and an infinity is refused as well.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.decomposition import PCA, IncrementalPCA, TruncatedSVD

from ..ir import Expr, div, lit, mul, sub, total
from ..program import Context, Feature
from .registry import register

__all__ = ["assemble_pca", "assemble_truncated_svd"]


def _project(est: Any, features: list[Feature], ctx: Context, offset: np.ndarray | None) -> list[Expr]:
    components = np.asarray(est.components_, dtype=np.float64)
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "x")
    out: list[Expr] = []
    for k, row in enumerate(components):
        e = total([mul(x, lit(float(c))) for x, c in zip(xs, row, strict=True)])
        if offset is not None:
            e = sub(e, lit(float(offset[k])))
        out.append(e)
    return out


def _names(est: Any, n: int) -> list[str]:
    try:
        return [str(s) for s in est.get_feature_names_out()]
    except Exception:  # noqa: BLE001 - sklearn's own names when it can give them
        return [f"{type(est).__name__.lower()}{k}" for k in range(n)]


@register(PCA, IncrementalPCA)
def assemble_pca(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    components = np.asarray(est.components_, dtype=np.float64)
    offset = np.asarray(est.mean_, dtype=np.float64).reshape(1, -1) @ components.T
    values = _project(est, features, ctx, offset.ravel())
    if est.whiten:
        scale = np.sqrt(np.asarray(est.explained_variance_, dtype=np.float64))
        scale[scale < np.finfo(scale.dtype).eps] = np.finfo(scale.dtype).eps
        values = [div(v, lit(float(s))) for v, s in zip(values, scale, strict=True)]
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]


@register(TruncatedSVD)
def assemble_truncated_svd(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    values = _project(est, features, ctx, None)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]
