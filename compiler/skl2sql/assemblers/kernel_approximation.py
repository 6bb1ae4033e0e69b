"""Kernel approximations as pipeline steps: Nystroem, RBFSampler, SkewedChi2Sampler.

- ``Nystroem.transform`` is ``K(x, components_) @ normalization_.T`` with sklearn's
  ``pairwise_kernels`` and the parameter defaults of its kernel functions (``gamma=None``:
  ``1 / n_features``; ``coef0=None``: 1 for ``poly`` and ``sigmoid``; ``degree=None``: 3). The
  kernels are written as :mod:`.kernels` writes them for KernelRidge (``pow`` for the
  polynomial, the direct ``sum((x - v)^2)`` for rbf, which agrees with sklearn's
  ``||x||^2 - 2 <x, v> + ||v||^2`` within the parity tolerance).
- ``RBFSampler.transform`` is ``cos(x @ random_weights_ + random_offset_) * sqrt(2 /
  n_components)``; ``SkewedChi2Sampler`` first takes ``log(x + skewedness)`` and refuses a row
  with any ``x <= -skewedness`` (NULL outputs, where sklearn raises).

The projections are summed left to right where BLAS may block them otherwise; ``cos`` of an
argument with a rounding difference ``d`` moves by at most ``d``. A NULL input gives NULL
outputs (sklearn refuses NaN). Refused: callable and precomputed kernels, and ``chi2``,
``additive_chi2`` and ``cosine``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.kernel_approximation import Nystroem, RBFSampler, SkewedChi2Sampler

from ..errors import UnsupportedEstimatorError
from ..ir import Compare, Expr, Func, add, case, lit, mul, total
from ..program import Context, Feature
from .kernels import kernel_values
from .prep_common import dense, fitted_inputs
from .registry import register

__all__ = ["assemble_nystroem", "assemble_random_fourier"]

_NAMES = {"linear": "linear", "rbf": "rbf", "laplacian": "laplacian", "poly": "poly", "polynomial": "poly", "sigmoid": "sigmoid"}


def _names(est: Any, n: int) -> list[str]:
    return [str(s) for s in est.get_feature_names_out()][:n]


@register(Nystroem)
def assemble_nystroem(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    kernel = est.kernel
    if callable(kernel) or kernel not in _NAMES:
        raise UnsupportedEstimatorError(
            f"Nystroem with kernel={kernel!r} is not supported: {', '.join(sorted(_NAMES))} are"
        )
    components = dense(est.components_)
    params = est._get_kernel_params()
    d = components.shape[1]
    gamma = params.get("gamma")
    xs = fitted_inputs(est, features, ctx, d)
    values = kernel_values(
        xs,
        components,
        _NAMES[kernel],
        ctx,
        gamma=float(1.0 / d if gamma is None else gamma),
        coef0=float(params.get("coef0", 1.0)),
        degree=float(params.get("degree", 3)),
        power="pow",
    )
    normalization = np.asarray(est.normalization_, dtype=np.float64)
    out = [total([mul(k, lit(float(w))) for k, w in zip(values, row, strict=True)]) for row in normalization]
    return [Feature(e, n) for e, n in zip(out, _names(est, len(out)), strict=True)]


@register(RBFSampler, SkewedChi2Sampler)
def assemble_random_fourier(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    weights = dense(est.random_weights_)
    offset = np.asarray(est.random_offset_, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, weights.shape[0])
    if isinstance(est, SkewedChi2Sampler):
        skew = float(est.skewedness)
        # NULL (not an error in engines that raise on ln of a non-positive) where sklearn refuses
        xs = ctx.materialize(
            [Func("ln", (case([(Compare(">", x, lit(-skew)), add(x, lit(skew)))], None),)) for x in xs], "logx"
        )
        scale = float(np.sqrt(2.0) / np.sqrt(est.n_components))
    else:
        scale = float((2.0 / est.n_components) ** 0.5)
    projections: list[Expr] = [
        add(total([mul(x, lit(float(w))) for x, w in zip(xs, col, strict=True)]), lit(float(b)))
        for col, b in zip(weights.T, offset, strict=True)
    ]
    out = [mul(Func("cos", (p,)), lit(scale)) for p in projections]
    return [Feature(e, n) for e, n in zip(out, _names(est, len(out)), strict=True)]
