"""Linear projections: PCA, IncrementalPCA, TruncatedSVD, FastICA, FactorAnalysis, SparsePCA,
MiniBatchSparsePCA, the random projections, NeighborhoodComponentsAnalysis, the
cross-decomposition transforms (PLSCanonical, CCA, PLSSVD) and LinearDiscriminantAnalysis's
``transform``.

sklearn's ``transform`` is ``X @ components_.T`` and, for PCA, minus ``mean_ @ components_.T``
(the centering applied after the projection), then divided by ``sqrt(explained_variance_)``
(floored at machine epsilon) when ``whiten``. The SQL writes the same steps: one sum of products
per component, the centering term as a constant computed by NumPy as sklearn computes it, then the
whitening division. The dot products are summed left to right where NumPy's BLAS may block them
differently, so a component agrees within a few ulps of ``sum(|x_j * c_kj|)``, not bit for bit
(see the tolerance in ``test_parity_preprocessing.py``).

FastICA centres first when it whitens, ``(x - mean_) @ components_.T``; FactorAnalysis is
``((x - mean_) @ Wpsi.T) @ cov_z`` with ``Wpsi = components_ / noise_variance_`` and ``cov_z =
inv(I + Wpsi @ components_.T)`` computed by NumPy/SciPy as sklearn does; Gaussian and sparse random
projections and NeighborhoodComponentsAnalysis are ``x @ components_.T`` (a sparse matrix's zeros
left out: exact for finite input); SparsePCA's ridge solve is linear in ``x``, so it is
``(x - mean_) @ W`` with ``W`` sklearn's ``ridge_regression`` of the identity.
The PLS family standardises first, ``((x - _x_mean) / _x_std) @ x_rotations_`` (PLSSVD:
``x_weights_``). LinearDiscriminantAnalysis as a pipeline step is ``(x - xbar_) @ scalings_``
(solver ``svd``) or ``x @ scalings_`` (``eigen``), its first ``_max_components`` columns; the
``lsqr`` solver has no transform in sklearn and is refused. (LDA as the last step is a
classifier: :mod:`.linear`. PLSRegression compiles as a regressor only: as a pipeline step its
``fit_transform`` returns a pair, which no sklearn pipeline can fit.)

A NULL input gives NULL components (sklearn refuses NaN), and an infinity is refused as well.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg
from sklearn.cross_decomposition import CCA, PLSSVD, PLSCanonical
from sklearn.decomposition import (
    PCA,
    FactorAnalysis,
    FastICA,
    IncrementalPCA,
    MiniBatchSparsePCA,
    SparsePCA,
    TruncatedSVD,
)
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import ridge_regression
from sklearn.neighbors import NeighborhoodComponentsAnalysis
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

from ...errors import UnsupportedEstimatorError
from ...ir import Expr, div, lit, mul, sub, total
from ..context import Context
from ..interface import Feature
from ..registry import register, register_transform
from ..shared.prep_common import dense, fitted_inputs, guard_row

__all__ = [
    "assemble_pca",
    "assemble_truncated_svd",
    "assemble_fast_ica",
    "assemble_factor_analysis",
    "assemble_random_projection",
    "assemble_sparse_pca",
    "assemble_pls_transform",
    "assemble_lda_transform",
]


def _project(est: Any, features: list[Feature], ctx: Context, offset: np.ndarray | None) -> list[Expr]:
    components = np.asarray(est.components_, dtype=np.float64)
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "x")
    ctx.refuse_missing(xs)
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


def _products(xs: list[Expr], matrix: np.ndarray, ctx: Context) -> list[Expr]:
    """``xs @ matrix`` column by column, left to right, zero weights left out. A left-out input
    no longer makes its row NULL by itself, so where any is left out every output is guarded by
    those inputs being present (sklearn refuses the whole row)."""
    values = [total([mul(x, lit(float(w))) for x, w in zip(xs, col, strict=True) if w != 0.0]) for col in matrix.T]
    skipped = [x for x, row in zip(xs, matrix, strict=True) if np.any(row == 0.0)]
    return guard_row(skipped, values, ctx) if skipped else values


def _inputs(est: Any, features: list[Feature], ctx: Context, n: int, mean: np.ndarray | None = None) -> list[Expr]:
    """The checked inputs, centred on ``mean`` when given (one stage)."""
    if mean is None:
        return fitted_inputs(est, features, ctx, n)
    xs = fitted_inputs(est, features, ctx, n, "raw")
    return ctx.materialize([sub(x, lit(float(m))) for x, m in zip(xs, mean, strict=True)], "x")


@register(FastICA)
def assemble_fast_ica(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    components = dense(est.components_)
    xs = _inputs(est, features, ctx, components.shape[1], np.asarray(est.mean_, dtype=np.float64) if est.whiten else None)
    values = _products(xs, components.T, ctx)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]


@register(FactorAnalysis)
def assemble_factor_analysis(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    components = dense(est.components_)
    wpsi = components / np.asarray(est.noise_variance_, dtype=np.float64)
    cov_z = linalg.inv(np.eye(len(components)) + np.dot(wpsi, components.T))
    xs = _inputs(est, features, ctx, components.shape[1], np.asarray(est.mean_, dtype=np.float64))
    tmp = ctx.materialize(_products(xs, wpsi.T, ctx), "fa")
    values = _products(tmp, cov_z, ctx)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]


@register(GaussianRandomProjection, SparseRandomProjection, NeighborhoodComponentsAnalysis)
def assemble_random_projection(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    components = dense(est.components_)
    xs = _inputs(est, features, ctx, components.shape[1])
    values = _products(xs, components.T, ctx)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]


@register(SparsePCA, MiniBatchSparsePCA)
def assemble_sparse_pca(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``ridge_regression(components_.T, (x - mean_).T, ridge_alpha, solver='cholesky')``, linear
    in ``x``: the matrix is sklearn's own solve of the identity, so the SQL is ``(x - mean_) @ W``
    (sklearn solves per batch: the two round apart by the system's condition number in ulps)."""
    components = dense(est.components_)
    n = components.shape[1]
    weights = np.asarray(
        ridge_regression(components.T, np.eye(n), est.ridge_alpha, solver="cholesky"), dtype=np.float64
    )
    xs = _inputs(est, features, ctx, n, np.asarray(est.mean_, dtype=np.float64))
    values = _products(xs, weights, ctx)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]


@register(PLSCanonical, CCA, PLSSVD)
def assemble_pls_transform(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``x_scores``: ``((x - _x_mean) / _x_std) @ x_rotations_`` (PLSSVD: ``x_weights_``)."""
    mean = np.asarray(est._x_mean, dtype=np.float64)
    std = np.asarray(est._x_std, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, len(mean), "raw")
    scaled = ctx.materialize([div(sub(x, lit(float(m))), lit(float(s))) for x, m, s in zip(xs, mean, std, strict=True)], "x")
    rotation = dense(est.x_weights_ if isinstance(est, PLSSVD) else est.x_rotations_)
    values = _products(scaled, rotation, ctx)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]


@register_transform(LinearDiscriminantAnalysis)
def assemble_lda_transform(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``(x - xbar_) @ scalings_`` (svd) or ``x @ scalings_`` (eigen), first ``_max_components``."""
    if est.solver == "lsqr":
        raise UnsupportedEstimatorError(
            "LinearDiscriminantAnalysis(solver='lsqr') has no transform in scikit-learn; use solver='svd' or 'eigen'"
        )
    scalings = dense(est.scalings_)[:, : est._max_components]
    mean = np.asarray(est.xbar_, dtype=np.float64) if est.solver == "svd" else None
    xs = _inputs(est, features, ctx, scalings.shape[0], mean)
    values = _products(xs, scalings, ctx)
    return [Feature(v, n) for v, n in zip(values, _names(est, len(values)), strict=True)]
